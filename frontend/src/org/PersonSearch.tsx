import { TextField } from '../components/Field';

/**
 * PersonSearch is a search box with a Find button that sits inside a larger form. Enter searches
 * here instead of sending the form around it.
 */
export function PersonSearch({
  label,
  query,
  onQueryChange,
  onSearch,
  busy = false,
}: {
  label: string;
  query: string;
  onQueryChange: (q: string) => void;
  onSearch: () => void;
  busy?: boolean;
}) {
  return (
    <div className="filters">
      <TextField
        label={label}
        name="person-search"
        value={query}
        onValueChange={onQueryChange}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            onSearch();
          }
        }}
      />
      <div className="actions">
        <button type="button" className="button-secondary" onClick={onSearch} disabled={busy}>
          {busy ? 'Searching…' : 'Find'}
        </button>
      </div>
    </div>
  );
}
