// Small behaviours shared by the forms.
import { tick } from 'svelte';

/** After a failed submit, put the keyboard on the first field the server complained about. */
export async function focusFirstInvalid(form: HTMLFormElement | undefined): Promise<void> {
	await tick();
	form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
}
