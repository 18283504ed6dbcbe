import { z } from 'zod';
import { isShowableInline } from './display-text';
import { BADGE_COLOR_NAMES, BADGE_LABEL_MAX_LENGTH, BADGE_STYLES, type BadgeQuery } from './badge';
import { keySchema, noControlChars } from './validation';

const HEX_COLOR = /^#?(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
const colorNames: ReadonlySet<string> = new Set(BADGE_COLOR_NAMES);

const colorSchema = z
  .string()
  .refine((color) => colorNames.has(color) || HEX_COLOR.test(color), {
    message: `must be a colour name (${BADGE_COLOR_NAMES.join(', ')}) or a hex colour such as 4c1 or #ff69b4`,
  });

/**
 * The query of `GET /api/pages/badge.svg`: the page, and the look of the
 * badge as on shields.io (`label`, `color`, `labelColor`, `style`). The label
 * may be empty (the badge then shows the count alone); like a member's name it
 * may not reorder or break the text around it (no bidi controls, no line
 * separators). Other parameters are ignored.
 */
export const badgeQuerySchema: z.ZodType<BadgeQuery> = z.object({
  page: keySchema,
  label: z
    .string()
    .refine((s) => s.length <= BADGE_LABEL_MAX_LENGTH, { message: `must be at most ${BADGE_LABEL_MAX_LENGTH} characters`, abort: true })
    .refine(noControlChars, 'must not contain control characters')
    .refine(isShowableInline, 'must not contain bidirectional controls or line separators')
    .optional(),
  color: colorSchema.optional(),
  labelColor: colorSchema.optional(),
  style: z.enum(BADGE_STYLES, { message: `must be one of ${BADGE_STYLES.join(', ')}` }).optional(),
});
