import { useEffect, useId, useRef } from 'react';
import { FieldError } from '../components/Field';
import type { Question, QuestionOption } from '../api';

/** optionsOf gives a question's options; true/false questions answer with "true" or "false". */
export function optionsOf(q: Question): QuestionOption[] {
  if (q.options && q.options.length > 0) return q.options;
  if (q.kind === 'true_false') {
    return [
      { id: 'true', text: 'True' },
      { id: 'false', text: 'False' },
    ];
  }
  return [];
}

interface Props {
  question: Question;
  index: number;
  total: number;
  value: string[];
  onChange: (ids: string[]) => void;
  /** onAnnounce says something to screen readers, such as where a moved item now stands. */
  onAnnounce: (message: string) => void;
  error?: string | undefined;
  disabled?: boolean;
}

/** QuestionField is one quiz question as a group of radios, checkboxes or an ordering list. */
export function QuestionField({ question: q, index, total, value, onChange, onAnnounce, error, disabled }: Props) {
  const id = useId();
  const situationId = `${id}-situation`;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const options = optionsOf(q);
  const hint =
    q.kind === 'multiple'
      ? 'Select all that apply.'
      : q.kind === 'ordering'
        ? 'Use the Move up and Move down buttons to put the items in order, first at the top.'
        : '';
  // A prompt that already says "Select all that apply" needs no hint saying it again on screen.
  const hintSaid = q.kind === 'multiple' && /select all that apply/i.test(q.prompt);
  const describedBy = [q.kind === 'scenario' && q.scenario ? situationId : '', hint ? hintId : '', error ? errorId : '']
    .filter(Boolean)
    .join(' ');

  return (
    <div className={error ? 'question question-invalid' : 'question'} id={`question-${q.id}`}>
      <h3 className="q-number">
        Question {index + 1} of {total}
      </h3>
      {q.kind === 'scenario' && q.scenario ? (
        <div className="situation" id={situationId}>
          <p className="situation-label">The situation</p>
          <p>{q.scenario}</p>
        </div>
      ) : null}
      <fieldset aria-describedby={describedBy || undefined}>
        <legend>{q.prompt}</legend>
        {hint ? (
          <p className={hintSaid ? 'hint visually-hidden' : 'hint'} id={hintId}>
            {hint}
          </p>
        ) : null}
        {error ? (
          <FieldError id={errorId} error={error} />
        ) : null}
        {q.kind === 'ordering' ? (
          <OrderingList
            options={options}
            value={value}
            onChange={onChange}
            onAnnounce={onAnnounce}
            disabled={disabled}
          />
        ) : (
          options.map((o) => {
            const inputId = `${id}-${o.id}`;
            const multiple = q.kind === 'multiple';
            return (
              <div className="checkbox choice" key={o.id}>
                <input
                  type={multiple ? 'checkbox' : 'radio'}
                  id={inputId}
                  name={`q-${q.id}`}
                  value={o.id}
                  checked={value.includes(o.id)}
                  disabled={disabled}
                  onChange={(e) => {
                    if (!multiple) onChange([o.id]);
                    else if (e.target.checked) onChange(options.map((x) => x.id).filter((x) => x === o.id || value.includes(x)));
                    else onChange(value.filter((x) => x !== o.id));
                  }}
                />
                <label htmlFor={inputId}>{o.text}</label>
              </div>
            );
          })
        )}
      </fieldset>
    </div>
  );
}

function OrderingList({
  options,
  value,
  onChange,
  onAnnounce,
  disabled,
}: {
  options: QuestionOption[];
  value: string[];
  onChange: (ids: string[]) => void;
  onAnnounce: (message: string) => void;
  disabled?: boolean | undefined;
}) {
  const text = new Map(options.map((o) => [o.id, o.text]));
  const buttons = useRef(new Map<string, HTMLButtonElement>());
  const refocus = useRef<{ id: string; dir: 'up' | 'down' } | null>(null);

  // Moving an item moves its buttons in the page: keep focus on the button that was pressed (or
  // its partner, once the item reaches the top or the bottom).
  useEffect(() => {
    const want = refocus.current;
    if (!want) return;
    refocus.current = null;
    const pos = value.indexOf(want.id);
    const atEdge = want.dir === 'up' ? pos === 0 : pos === value.length - 1;
    const dir = atEdge ? (want.dir === 'up' ? 'down' : 'up') : want.dir;
    buttons.current.get(`${want.id}:${dir}`)?.focus();
  }, [value]);

  function move(pos: number, delta: -1 | 1) {
    const to = pos + delta;
    if (disabled || to < 0 || to >= value.length) return;
    const next = [...value];
    const [item] = next.splice(pos, 1);
    if (item === undefined) return;
    next.splice(to, 0, item);
    refocus.current = { id: item, dir: delta < 0 ? 'up' : 'down' };
    onChange(next);
    onAnnounce(`“${text.get(item) ?? item}” moved to position ${to + 1} of ${next.length}.`);
  }

  return (
    <ol className="ordering">
      {value.map((optionId, pos) => {
        const label = text.get(optionId) ?? optionId;
        const first = pos === 0;
        const last = pos === value.length - 1;
        return (
          <li key={optionId} className="ordering-item">
            <span className="ordering-text">{label}</span>
            <span className="ordering-buttons">
              <button
                type="button"
                className="button-secondary button-small"
                aria-disabled={first || disabled ? true : undefined}
                onClick={() => move(pos, -1)}
                ref={(el) => {
                  if (el) buttons.current.set(`${optionId}:up`, el);
                  else buttons.current.delete(`${optionId}:up`);
                }}
              >
                Move up<span className="visually-hidden">: {label}</span>
              </button>
              <button
                type="button"
                className="button-secondary button-small"
                aria-disabled={last || disabled ? true : undefined}
                onClick={() => move(pos, 1)}
                ref={(el) => {
                  if (el) buttons.current.set(`${optionId}:down`, el);
                  else buttons.current.delete(`${optionId}:down`);
                }}
              >
                Move down<span className="visually-hidden">: {label}</span>
              </button>
            </span>
          </li>
        );
      })}
    </ol>
  );
}
