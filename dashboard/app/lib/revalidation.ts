/** The reply box posts typing notices every few seconds; they must not reload the page's data. */
export function isTypingSubmission(formData: FormData | undefined): boolean {
  return formData?.get('intent') === 'typing';
}
