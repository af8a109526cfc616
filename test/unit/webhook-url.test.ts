import { isPrivateAddress, publicAddressLookup, webhookUrlProblem } from '../../src/modules/webhook/webhook-url.js';

/*
 * Where a tenant may point webhooks: by default https to public addresses only, so an endpoint
 * cannot make the server call its own network (loopback, private ranges, cloud metadata).
 */
describe('webhook URLs', () => {
  it('takes https URLs of public hosts, and anything http(s) when private networks are allowed', () => {
    expect(webhookUrlProblem('https://erp.example.com/billing-webhooks?source=billing', false)).toBeUndefined();
    expect(webhookUrlProblem('https://203.0.113.10:8443/hooks', false)).toBeUndefined();
    expect(webhookUrlProblem('http://127.0.0.1:8080/hooks', true)).toBeUndefined();
    expect(webhookUrlProblem('http://erp.internal/hooks', true)).toBeUndefined();
  });

  it.each([
    ['http://erp.example.com/hooks', 'must be https'],
    ['https://localhost/hooks', 'must reach a public address, not this server or its private network'],
    ['https://billing.localhost/hooks', 'must reach a public address, not this server or its private network'],
    ['https://127.0.0.1/hooks', 'must reach a public address, not this server or its private network'],
    ['https://10.1.2.3/hooks', 'must reach a public address, not this server or its private network'],
    ['https://172.20.0.5/hooks', 'must reach a public address, not this server or its private network'],
    ['https://192.168.1.1/hooks', 'must reach a public address, not this server or its private network'],
    ['https://169.254.169.254/latest/meta-data', 'must reach a public address, not this server or its private network'],
    ['https://100.64.0.1/hooks', 'must reach a public address, not this server or its private network'],
    ['https://[::1]/hooks', 'must reach a public address, not this server or its private network'],
    ['https://[fd00::1]/hooks', 'must reach a public address, not this server or its private network'],
    ['https://[::ffff:10.0.0.1]/hooks', 'must reach a public address, not this server or its private network'],
    ['https://0.0.0.0/hooks', 'must reach a public address, not this server or its private network'],
  ])('refuses %s by default: %s', (url, problem) => {
    expect(webhookUrlProblem(url, false)).toBe(problem);
  });

  it.each([
    ['ftp://erp.example.com/hooks', 'must be an http or https URL'],
    ['javascript:alert(1)', 'must be an http or https URL'],
    ['/hooks', 'must be an absolute URL, such as https://erp.example.com/webhooks'],
    ['', 'must be an absolute URL, such as https://erp.example.com/webhooks'],
    ['https://user:secret@erp.example.com/hooks', 'must not carry a user or password: the signature authenticates messages'],
    ['https://erp.example.com/hooks#part', 'must not have a #fragment'],
    [`https://erp.example.com/${'a'.repeat(2000)}`, 'must be at most 2000 characters'],
  ])('refuses %s always: %s', (url, problem) => {
    expect(webhookUrlProblem(url, true)).toBe(problem);
  });

  it('knows private and public addresses, IPv4-mapped ones included', () => {
    for (const address of [
      '127.0.0.1',
      '10.0.0.1',
      '172.31.255.255',
      '192.168.0.1',
      '169.254.169.254',
      '::1',
      'fe80::1',
      '::ffff:192.168.0.1',
      'not an address',
    ])
      expect(isPrivateAddress(address)).toBe(true);
    for (const address of ['203.0.113.10', '8.8.8.8', '172.32.0.1', '2001:db8::1', '::ffff:8.8.8.8']) expect(isPrivateAddress(address)).toBe(false);
  });

  it('refuses at delivery a name that resolves to a private address', async () => {
    const resolved = await new Promise<{ error: Error | null; address: string }>((resolve) =>
      publicAddressLookup('localhost', {}, (error, address) => resolve({ error, address: String(address) })),
    );
    expect(resolved.error?.message).toBe('localhost resolves to a private address; webhooks go to public addresses only');
  });
});
