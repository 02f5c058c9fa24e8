/**
 * Image reference checks of the stack loader. They live in the validation vocabulary
 * (components/platform/schemas.ts) and are mirrored by the policy pack's image rule.
 */
export { ImageRef, isMutableImageRef, parseImageRef } from "../components/platform/schemas";
