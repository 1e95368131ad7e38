import { act, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clock, Timer } from './Timer';

afterEach(() => {
  vi.useRealTimers();
});

describe('Timer', () => {
  it('formats the time left', () => {
    expect(clock(5)).toBe('0:05');
    expect(clock(302)).toBe('5:02');
    expect(clock(3723)).toBe('1:02:03');
  });

  it('shows the time every second but tells screen readers only at 5 minutes, 1 minute and the end', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-11-24T10:00:00Z'));
    const onTimeUp = vi.fn();
    render(<Timer deadline="2026-11-24T10:05:02Z" onTimeUp={onTimeUp} />);
    const status = screen.getByRole('status');
    expect(screen.getByText('5:02')).toBeInTheDocument();
    expect(status).toHaveTextContent('');

    act(() => vi.advanceTimersByTime(1000));
    expect(screen.getByText('5:01')).toBeInTheDocument();
    expect(status).toHaveTextContent('');
    act(() => vi.advanceTimersByTime(1000));
    expect(status).toHaveTextContent('5 minutes left.');

    act(() => vi.advanceTimersByTime(239_000));
    expect(screen.getByText('1:01')).toBeInTheDocument();
    expect(status).toHaveTextContent('5 minutes left.');
    act(() => vi.advanceTimersByTime(1000));
    expect(status).toHaveTextContent('1 minute left.');

    expect(onTimeUp).not.toHaveBeenCalled();
    act(() => vi.advanceTimersByTime(60_000));
    expect(status).toHaveTextContent('Time is up.');
    act(() => vi.advanceTimersByTime(5000));
    expect(onTimeUp).toHaveBeenCalledTimes(1);
  });

  it('does not give warnings already past when the attempt is opened', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-11-24T10:00:00Z'));
    render(<Timer deadline="2026-11-24T10:03:00Z" onTimeUp={() => {}} />);
    act(() => vi.advanceTimersByTime(1000));
    expect(screen.getByRole('status')).toHaveTextContent('');
    act(() => vi.advanceTimersByTime(120_000));
    expect(screen.getByRole('status')).toHaveTextContent('1 minute left.');
  });
});
