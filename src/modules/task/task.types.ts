import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Money } from '../../platform/graphql/money.types.js';
import { connectionType, Node } from '../../platform/graphql/relay.js';
import { UserError } from '../../platform/graphql/user-error.types.js';
import { TaskStage } from '../spend/spend.types.js';
import { ChargeReason, UsageKind, UsageStatus } from '../usage/usage-record.entity.js';
import { UsageAuthorization } from '../usage/usage.types.js';
import { TaskEventType, TaskStatus, type UsageTask, type UsageTaskEvent } from './usage-task.entity.js';

registerEnumType(TaskStatus, {
  name: 'TaskStatus',
  description: 'Where an image or video task stands.',
  valuesConfig: {
    RUNNING: { description: 'Submitted, its estimate held against every limit; not completed yet.' },
    SUCCEEDED: { description: 'Completed with output: its usage is recorded and charged.' },
    FAILED: { description: "Completed without output: its usage is recorded, and charged or not by the tenant's failed-request policy." },
  },
});

registerEnumType(TaskEventType, {
  name: 'TaskEventType',
  description: 'A step of a task’s history.',
  valuesConfig: {
    SUBMITTED: { description: 'usageTaskSubmit placed the task and held its estimate.' },
    SUBMIT_REPEATED: { description: 'usageTaskSubmit came again with its requestId (a retry): answered with the task, nothing held again.' },
    SUCCEEDED: { description: 'usageTaskComplete recorded it as succeeded.' },
    FAILED: { description: 'usageTaskComplete recorded it as failed.' },
    COMPLETE_REPEATED: { description: 'usageTaskComplete came again with the same outcome (a retry): nothing recorded again.' },
  },
});

@ObjectType('UsageTaskParameters', { description: 'What the task asked for: evidence for support; the price book prices images and video seconds.' })
export class UsageTaskParameters {
  @Field(() => String, { nullable: true, description: 'Aspect ratio, "16:9".' })
  ratio!: string | null;

  @Field(() => String, { nullable: true, description: 'Resolution, "1024x1024" or "1080p".' })
  resolution!: string | null;

  @Field(() => Int, { nullable: true, description: 'Seconds of each video (VIDEO tasks).' })
  durationSeconds!: number | null;

  @Field(() => Int, { description: 'Images or videos asked for.' })
  count!: number;
}

@ObjectType('UsageTaskEvent', { description: 'One step of a task’s history, oldest first.' })
export class UsageTaskEventNode {
  @Field(() => TaskEventType, { description: 'What kind of step.' })
  type!: TaskEventType;

  @Field(() => Date, { description: 'When it happened.' })
  at!: Date;

  @Field({ description: 'What happened, with its figures: the estimate held, the quantities and amount charged, the failure reason.' })
  message!: string;
}

export function toUsageTaskEventNode(event: UsageTaskEvent): UsageTaskEventNode {
  return Object.assign(new UsageTaskEventNode(), { type: event.type, at: event.at, message: event.message });
}

@ObjectType('UsageTask', {
  implements: Node,
  description:
    'An image or video generation task (usageTaskSubmit): its estimate is held against every limit while it runs, like a reservation; completing it records its usage (requestId and taskId on the record) and ends the hold.',
})
export class UsageTaskNode extends Node {
  tenantId!: string;
  departmentId!: string;
  apiKeyId!: string;

  @Field({ description: "The gateway's id of the submission; its usage record has it too." })
  requestId!: string;

  @Field({ description: 'The model.' })
  model!: string;

  @Field(() => UsageKind, { description: 'IMAGE or VIDEO.' })
  kind!: UsageKind;

  @Field(() => TaskStage, { description: 'DRAFT or FINAL: which stage budgets limit it.' })
  stage!: TaskStage;

  @Field(() => TaskStatus, { description: 'RUNNING until usageTaskComplete, then SUCCEEDED or FAILED.' })
  status!: TaskStatus;

  @Field(() => UsageTaskParameters, { description: 'What it asked for.' })
  parameters!: UsageTaskParameters;

  @Field(() => Money, { description: 'The estimate held while it runs: the asked-for images or video seconds at the price in force when submitted.' })
  estimate!: Money;

  @Field(() => Date, { description: 'When the hold lapses if the task has not completed; a completion after that is still recorded.' })
  holdExpiresAt!: Date;

  @Field(() => Date, { description: 'When usageTaskSubmit placed it: its usage is recorded as occurring then, at the price then in force.' })
  submittedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When usageTaskComplete recorded how it ended.' })
  completedAt!: Date | null;

  @Field(() => Int, { nullable: true, description: 'Images made, once completed.' })
  imageCount!: number | null;

  @Field(() => Int, { nullable: true, description: 'Seconds of video made, once completed.' })
  videoSeconds!: number | null;

  @Field(() => Money, { nullable: true, description: 'What it was charged, once completed (zero for a failed task the policy does not charge).' })
  chargedAmount!: Money | null;

  @Field(() => ChargeReason, { nullable: true, description: 'Why it was charged or not, once completed.' })
  chargeReason!: ChargeReason | null;

  @Field(() => String, { nullable: true, description: 'Why it failed, as the gateway reported it.' })
  failureReason!: string | null;
}

export function toUsageTaskNode(task: UsageTask): UsageTaskNode {
  return Object.assign(new UsageTaskNode(), {
    id: task.id,
    tenantId: task.tenantId,
    departmentId: task.departmentId,
    apiKeyId: task.apiKeyId,
    requestId: task.requestId,
    model: task.model,
    kind: task.kind,
    stage: task.stage,
    status: task.status,
    parameters: Object.assign(new UsageTaskParameters(), {
      ratio: task.ratio ?? null,
      resolution: task.resolution ?? null,
      durationSeconds: task.durationSeconds ?? null,
      count: task.count,
    }),
    estimate: Money.of(task.estimatedAmount, task.currency),
    holdExpiresAt: task.holdExpiresAt,
    submittedAt: task.submittedAt,
    completedAt: task.completedAt ?? null,
    imageCount: task.imageCount ?? null,
    videoSeconds: task.videoSeconds ?? null,
    chargedAmount: task.chargedAmount == null ? null : Money.of(task.chargedAmount, task.currency),
    chargeReason: task.chargeReason ?? null,
    failureReason: task.failureReason ?? null,
  });
}

export const UsageTaskConnection = connectionType(UsageTaskNode, 'UsageTask');

@InputType('UsageTaskParametersInput', { description: 'What the task asks for.' })
export class UsageTaskParametersInput {
  @Field(() => String, { nullable: true, description: 'Aspect ratio, width:height in whole numbers ("16:9").' })
  ratio?: string | null;

  @Field(() => String, { nullable: true, description: 'Resolution: WIDTHxHEIGHT ("1024x1024") or lines ("1080p"), at most 32 characters.' })
  resolution?: string | null;

  @Field(() => Int, { nullable: true, description: 'Seconds of each video, 1 to 3,600: required for VIDEO, not given for IMAGE.' })
  durationSeconds?: number | null;

  @Field(() => Int, { defaultValue: 1, description: 'Images or videos to make, 1 to 100.' })
  count!: number;
}

@InputType('UsageTaskSubmitInput', { description: 'An image or video task about to be started by the gateway.' })
export class UsageTaskSubmitInput {
  @Field({ description: 'The secret the caller sent to the gateway (sk-live-... or sk-test-...).' })
  apiKeySecret!: string;

  @Field({ description: 'The gateway’s id of the submission, unique per tenant; submitting it again answers the same task.' })
  requestId!: string;

  @Field({ description: 'The model.' })
  model!: string;

  @Field(() => UsageKind, { description: 'IMAGE or VIDEO.' })
  kind!: UsageKind;

  @Field(() => TaskStage, { description: 'DRAFT or FINAL.' })
  stage!: TaskStage;

  @Field(() => UsageTaskParametersInput, {
    description: 'What is asked for: priced from count and durationSeconds; ratio and resolution are kept as evidence.',
  })
  parameters!: UsageTaskParametersInput;
}

@ObjectType('UsageTaskSubmitPayload', { description: 'The answer to usageTaskSubmit.' })
export class UsageTaskSubmitPayload {
  @Field(() => UsageAuthorization, {
    nullable: true,
    description: 'The check, as usageReserve answers it (a stage budget refuses with BUDGET_EXCEEDED); null when userErrors is not empty.',
  })
  authorization!: UsageAuthorization | null;

  @Field(() => UsageTaskNode, { nullable: true, description: 'The task, RUNNING with its estimate held; null when refused.' })
  task!: UsageTaskNode | null;

  @Field(() => [UserError], { description: 'Why the input was refused; empty on success, and on a denial (which is in authorization).' })
  userErrors!: UserError[];
}

@InputType('UsageTaskCompleteInput', { description: 'How a running task ended.' })
export class UsageTaskCompleteInput {
  @Field(() => ID, { description: 'The task, as usageTaskSubmit answered it.' })
  taskId!: string;

  @Field(() => UsageStatus, { description: 'SUCCEEDED or FAILED.' })
  outcome!: UsageStatus;

  @Field(() => Int, {
    nullable: true,
    description: 'Images made (IMAGE): required when SUCCEEDED; for FAILED, the images asked for unless given.',
  })
  imageCount?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Seconds of video made (VIDEO): required when SUCCEEDED; for FAILED, the seconds asked for unless given.',
  })
  videoSeconds?: number | null;

  @Field(() => String, { nullable: true, description: 'Why it failed, 1 to 500 characters: required when FAILED, not given otherwise.' })
  failureReason?: string | null;
}

@ObjectType('UsageTaskPayload', { description: 'The answer to usageTaskComplete.' })
export class UsageTaskPayload {
  @Field(() => UsageTaskNode, { nullable: true, description: 'The task, completed; null when userErrors is not empty.' })
  task!: UsageTaskNode | null;

  @Field(() => [UserError], { description: 'Why the input was refused; empty on success.' })
  userErrors!: UserError[];
}

@InputType('UsageTaskFilter', { description: "Which tasks to list; a tenant user always sees only its tenant's." })
export class UsageTaskFilterInput {
  @Field(() => ID, { nullable: true, description: 'Only this tenant (operator).' })
  tenantId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only this key.' })
  apiKeyId?: string | null;

  @Field(() => String, { nullable: true, description: "Only the task of this requestId (the operator names the tenant too: requestIds are the tenant's)." })
  requestId?: string | null;

  @Field(() => TaskStage, { nullable: true, description: 'Only tasks of this stage.' })
  stage?: TaskStage | null;

  @Field(() => TaskStatus, { nullable: true, description: 'Only tasks in this state.' })
  status?: TaskStatus | null;

  @Field(() => Date, { nullable: true, description: 'Submitted at or after this instant.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Submitted before this instant.' })
  to?: Date | null;
}
