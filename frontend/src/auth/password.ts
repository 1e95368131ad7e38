export const MIN_PASSWORD = 12;
export const MAX_PASSWORD = 256;

export const PASSWORD_HINT = `At least ${MIN_PASSWORD} characters. A few unrelated words make a strong password that is easy to remember.`;

export type PasswordFields = { password?: string; confirm?: string };

/**
 * checkNewPassword catches the mistakes worth catching before asking the server, which remains
 * the authority on what it accepts.
 */
export function checkNewPassword(password: string, confirm: string): PasswordFields {
  const f: PasswordFields = {};
  if (!password) f.password = 'Choose a password.';
  else if ([...password].length < MIN_PASSWORD) f.password = `Use at least ${MIN_PASSWORD} characters.`;
  else if ([...password].length > MAX_PASSWORD) f.password = `Use at most ${MAX_PASSWORD} characters.`;
  if (!confirm) f.confirm = 'Type the password again.';
  else if (password && confirm !== password) f.confirm = "The two passwords don't match.";
  return f;
}
