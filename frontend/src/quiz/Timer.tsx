import { useEffect, useRef, useState } from 'react';
import { LiveRegion } from '../components/LiveRegion';

/** clock shows seconds as "4:05" or "1:02:03". */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

function secondsLeft(deadline: number): number {
  return Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
}

/**
 * Timer shows the time left on a timed attempt, updated every second. Screen readers hear it only
 * at 5 minutes, at 1 minute and when time is up, not every second.
 */
export function Timer({ deadline, onTimeUp }: { deadline: string; onTimeUp: () => void }) {
  const end = Date.parse(deadline);
  const [left, setLeft] = useState(() => secondsLeft(end));
  const [announce, setAnnounce] = useState('');
  // Warnings already past when the attempt was opened are not given again.
  const given = useRef(new Set<string>(left <= 60 ? ['5', '1'] : left <= 300 ? ['5'] : []));
  const onTimeUpRef = useRef(onTimeUp);

  useEffect(() => {
    onTimeUpRef.current = onTimeUp;
  }, [onTimeUp]);

  useEffect(() => {
    const t = setInterval(() => setLeft(secondsLeft(end)), 1000);
    return () => clearInterval(t);
  }, [end]);

  useEffect(() => {
    const g = given.current;
    if (left <= 0) {
      if (g.has('up')) return;
      g.add('up');
      setAnnounce('Time is up.');
      onTimeUpRef.current();
    } else if (left <= 60 && !g.has('1')) {
      g.add('1');
      g.add('5');
      setAnnounce('1 minute left.');
    } else if (left <= 300 && !g.has('5')) {
      g.add('5');
      setAnnounce('5 minutes left.');
    }
  }, [left]);

  return (
    <div className={left <= 60 ? 'timer timer-low' : 'timer'}>
      <p>
        Time left: <span className="timer-clock">{left > 0 ? clock(left) : 'none'}</span>
      </p>
      <LiveRegion role="status" quiet className="visually-hidden">
        {announce}
      </LiveRegion>
    </div>
  );
}
