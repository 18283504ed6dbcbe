/**
 * Rules for text that other people are shown as it was given (a member's
 * `name` and `status`, a badge's label), so that a list cannot be made to lie
 * about who is there. Plain functions without zod, for the browser's badge as
 * much as for the validators. Keys (pages, rooms) are identifiers, not shown
 * text: these rules do not apply to them.
 */

/**
 * Bidirectional embeddings and overrides (U+202A–U+202E) and isolates
 * (U+2066–U+2069): they reorder the text shown after them, the rest of a list
 * entry included.
 */
export const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/;

/** The line and paragraph separators (U+2028, U+2029): they break a one-line entry. */
export const LINE_SEPARATORS = /[\u2028\u2029]/;

/** What renders as nothing: Default_Ignorable_Code_Point (zero-width, joiners, variation selectors…) and White_Space. */
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{White_Space}]/gu;

/** Whether a string shows nothing once its invisible characters are removed (the empty string included). */
export const isBlank = (s: string): boolean => s.replace(INVISIBLE, '') === '';

/** Whether a string may be shown in one line as it is: no bidi controls, no line or paragraph separators. */
export const isShowableInline = (s: string): boolean => !BIDI_CONTROLS.test(s) && !LINE_SEPARATORS.test(s);

/**
 * Names and statuses are compared and measured in Unicode Normalization Form C,
 * so that `é` typed as one code point or as `e` + U+0301 is the same name.
 */
export const normalizeText = (s: string): string => s.normalize('NFC');
