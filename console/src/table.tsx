import { useText, type MessageKey } from './i18n';

/** A table's header row, each column named in the current language (an empty key: a column without a heading). */
export function HeadRow({ columns }: { columns: (MessageKey | '')[] }) {
  const text = useText();
  return (
    <thead>
      <tr>
        {columns.map((column, index) => (
          <th key={index}>{column ? text(column) : null}</th>
        ))}
      </tr>
    </thead>
  );
}
