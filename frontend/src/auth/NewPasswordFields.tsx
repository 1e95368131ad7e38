import { PasswordField } from '../components/Field';
import { PASSWORD_HINT, type PasswordFields } from './password';

type Props = {
  /** Labels of the password and of its confirmation. */
  labels: [string, string];
  password: string;
  confirm: string;
  onPassword: (v: string) => void;
  onConfirm: (v: string) => void;
  errors: PasswordFields;
};

/** NewPasswordFields asks for a new password twice, as accepting an invitation and a reset do. */
export function NewPasswordFields({ labels, password, confirm, onPassword, onConfirm, errors }: Props) {
  return (
    <>
      <PasswordField
        label={labels[0]}
        hint={PASSWORD_HINT}
        name="new-password"
        autoComplete="new-password"
        required
        value={password}
        onValueChange={onPassword}
        error={errors.password}
      />
      <PasswordField
        label={labels[1]}
        name="confirm-password"
        autoComplete="new-password"
        required
        value={confirm}
        onValueChange={onConfirm}
        error={errors.confirm}
      />
    </>
  );
}
