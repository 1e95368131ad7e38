import { useId, useState, type ChangeEvent, type InputHTMLAttributes, type ReactNode, type Ref } from 'react';

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'value' | 'onChange' | 'type'>;

interface FieldProps extends InputProps {
  label: string;
  value: string;
  onValueChange: (value: string) => void;
  type?: 'text' | 'email' | 'password' | 'date';
  hint?: string;
  error?: string | undefined;
  inputRef?: Ref<HTMLInputElement>;
}

function describedBy(...ids: (string | false | undefined)[]): string | undefined {
  const s = ids.filter(Boolean).join(' ');
  return s || undefined;
}

type InputAttrs = {
  id: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
};

/** FieldError is the line that says what is wrong with a field, read out with "Error:" first. */
export function FieldError({ id, error }: { id: string; error?: ReactNode }) {
  return error ? (
    <p className="field-error" id={id}>
      <span className="visually-hidden">Error:</span> {error}
    </p>
  ) : null;
}

/**
 * FieldFrame draws a field's label, hint and error, and gives the control it holds (an input, a
 * select, a textarea) the attributes that tie them together.
 */
export function FieldFrame({
  label,
  hint,
  error,
  children,
}: {
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  children: (attrs: InputAttrs) => ReactNode;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  return (
    <div className={error ? 'field field-invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      <FieldError id={errorId} error={error} />
      {children({
        id,
        'aria-invalid': error ? true : undefined,
        'aria-describedby': describedBy(hint ? hintId : undefined, error && errorId),
      })}
    </div>
  );
}

/** TextField is a labelled input with an optional hint and an error shown beside it. */
export function TextField({ label, value, onValueChange, type = 'text', hint, error, inputRef, ...rest }: FieldProps) {
  return (
    <FieldFrame label={label} hint={hint} error={error}>
      {(attrs) => (
        <input
          {...rest}
          {...attrs}
          ref={inputRef}
          type={type}
          value={value}
          onChange={(e: ChangeEvent<HTMLInputElement>) => onValueChange(e.target.value)}
        />
      )}
    </FieldFrame>
  );
}

/** SelectField is a labelled select with an optional hint and an error shown beside it. */
export function SelectField({
  label,
  value,
  onValueChange,
  options,
  hint,
  error,
}: {
  label: string;
  value: string;
  onValueChange: (value: string) => void;
  options: { value: string; label: string }[];
  hint?: string;
  error?: string | undefined;
}) {
  return (
    <FieldFrame label={label} hint={hint} error={error}>
      {(attrs) => (
        <select {...attrs} value={value} onChange={(e: ChangeEvent<HTMLSelectElement>) => onValueChange(e.target.value)}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </FieldFrame>
  );
}

/** PasswordField is a password input with a real button that shows or hides what was typed. */
export function PasswordField(props: Omit<FieldProps, 'type'>) {
  const { label, value, onValueChange, hint, error, inputRef, ...rest } = props;
  const [shown, setShown] = useState(false);
  return (
    <FieldFrame label={label} hint={hint} error={error}>
      {(attrs) => (
        <div className="password-row">
          <input
            {...rest}
            {...attrs}
            ref={inputRef}
            type={shown ? 'text' : 'password'}
            value={value}
            onChange={(e: ChangeEvent<HTMLInputElement>) => onValueChange(e.target.value)}
            spellCheck={false}
            autoCapitalize="none"
          />
          <button
            type="button"
            className="button-secondary toggle-password"
            aria-controls={attrs.id}
            onClick={() => setShown((s) => !s)}
          >
            {shown ? 'Hide' : 'Show'} <span className="visually-hidden">{label.toLowerCase()}</span>
          </button>
        </div>
      )}
    </FieldFrame>
  );
}
