import { computed, type Ref } from 'vue';
import type { GeneratorMeta } from '@shared/contract';

/**
 * The classes of a conditional generator (meta.numClasses > 0), for the
 * Generate store: how many, their names, and the `class` field a request
 * carries. `classChoice` is the picked class, or null for "All classes".
 * An unconditional generator has none, and its requests carry no class.
 */
export function useGeneratorClasses(
  meta: Readonly<Ref<GeneratorMeta | null>>,
  classChoice: Readonly<Ref<number | null>>,
) {
  const numClasses = computed(() => meta.value?.numClasses ?? 0);
  const isConditional = computed(() => numClasses.value > 0);
  /** A name for every class (the data set's subfolder names; "class i" where none is known). */
  const classNames = computed(() =>
    Array.from({ length: numClasses.value }, (_, i) => meta.value?.classNames[i] || `class ${i}`),
  );

  /** The name of a class, or null (unconditional generator, or no class). */
  function className(c: number | null | undefined): string | null {
    if (c == null || !isConditional.value) return null;
    return classNames.value[c] ?? `class ${c}`;
  }

  /** The `class` field for a request: the picked class for a conditional generator, nothing otherwise. */
  function classArg(): { class?: number | null } {
    return isConditional.value ? { class: classChoice.value } : {};
  }

  return { numClasses, isConditional, classNames, className, classArg };
}
