/**
 * Validation of untrusted documents against the collection schemas of `collections.ts`.
 * It covers the JSON-schema subset those schemas use, and reports every field that is
 * wrong, so a refusal can name them all at once.
 */
import type { CollectionDefinition } from './collections';

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

interface PropertySchema {
  readonly type: string | readonly string[];
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly enum?: readonly string[];
  readonly pattern?: string;
}

const patternCache = new Map<string, RegExp>();

function checkValue(field: string, value: unknown, prop: PropertySchema): string | undefined {
  const types = typeof prop.type === 'string' ? [prop.type] : prop.type;
  if (value === null || value === undefined) {
    return types.includes('null') ? undefined : 'is required';
  }
  if (typeof value === 'string' && types.includes('string')) {
    if (prop.minLength !== undefined && value.trim().length < prop.minLength) {
      return prop.minLength === 1 ? 'must not be empty' : `must have at least ${prop.minLength} characters`;
    }
    if (prop.maxLength !== undefined && value.length > prop.maxLength) {
      return `must have at most ${prop.maxLength} characters`;
    }
    if (prop.enum && !prop.enum.includes(value)) return `must be one of ${prop.enum.join(', ')}`;
    if (prop.pattern) {
      let re = patternCache.get(prop.pattern);
      if (!re) patternCache.set(prop.pattern, (re = new RegExp(prop.pattern)));
      if (!re.test(value)) return `has an invalid format`;
    }
    return undefined;
  }
  if (typeof value === 'boolean' && types.includes('boolean')) return undefined;
  if (typeof value === 'number' && (types.includes('integer') || types.includes('number'))) {
    if (types.includes('integer') && !Number.isInteger(value)) return 'must be a whole number';
    if (prop.minimum !== undefined && value < prop.minimum) return `must be at least ${prop.minimum}`;
    if (prop.maximum !== undefined && value > prop.maximum) return `must be at most ${prop.maximum}`;
    return undefined;
  }
  return `must be of type ${types.filter((t) => t !== 'null').join(' or ')}`;
}

/**
 * Checks `doc` against the collection's schema. Server-stamped fields (`updatedAt`,
 * `updatedBy`) are not checked: the server overwrites them.
 */
export function validateDocument(collection: CollectionDefinition, doc: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  const properties = collection.schema.properties as Record<string, PropertySchema>;
  for (const [field, prop] of Object.entries(properties)) {
    if (field === 'updatedAt' || field === 'updatedBy') continue;
    const message = checkValue(field, doc[field], prop);
    if (message) errors.push({ field, message: `${field} ${message}` });
  }
  for (const field of Object.keys(doc)) {
    if (!(field in properties) && field !== 'deleted') {
      errors.push({ field, message: `${field} is not a field of ${collection.name}` });
    }
  }
  return errors;
}
