/**
 * TableHead is a table's header row: a column header for each name. An empty name (false or
 * undefined) leaves its column out, for columns only some people see.
 */
export function TableHead({ columns }: { columns: (string | false | undefined)[] }) {
  return (
    <thead>
      <tr>
        {columns.map((name) =>
          !name ? null : (
            <th scope="col" key={name}>
              {name}
            </th>
          ),
        )}
      </tr>
    </thead>
  );
}
