import { InvalidTimeoutError } from './errors.js';

/** Throws InvalidTimeoutError unless `value` is a finite number of milliseconds, at least 0. */
export function validateNonNegativeDuration(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidTimeoutError(option, value, 'a finite, non-negative number');
  }
  return value;
}

/** Throws InvalidTimeoutError unless `value` is a finite number of milliseconds above 0. */
export function validatePositiveDuration(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidTimeoutError(option, value, 'a finite, positive number');
  }
  return value;
}
