import type { SystemKey } from './systems.js';

/** One row of the table: a measured quantity, with a value per system that measured it. */
export interface Figure {
  readonly id: string;
  /** The part of the run that measured it. */
  readonly part: string;
  readonly label: string;
  readonly unit: string;
  readonly values: Partial<Record<SystemKey, number>>;
  /** How it was measured, where the label does not say it (sizes of this run, for instance). */
  readonly note?: string;
}

/** A system that was not measured in a part (`*`: in the whole run), and why. */
export interface Skip {
  readonly system: string;
  readonly part: string;
  readonly reason: string;
}

/** How a part records what it measured. */
export interface PartResults {
  /** Records `value` of figure `id` for `system`; the first call for an id names its label and unit. */
  set(id: string, label: string, unit: string, system: SystemKey, value: number): void;
  /** Attaches how figure `id` was measured (shown under the table; several notes are joined). */
  note(id: string, note: string): void;
  /** Records that `system` was not measured in this part. */
  skip(system: SystemKey, reason: string): void;
}

type MutableFigure = Omit<Figure, 'values' | 'note'> & { values: Partial<Record<SystemKey, number>> };

/** What the parts of one run measured, in the order they reported it. */
export class Results {
  readonly #figures = new Map<string, MutableFigure>();
  readonly #skipped: Skip[] = [];
  readonly #notes = new Map<string, string[]>();

  /** The recorder of part `part`. */
  forPart(part: string): PartResults {
    return {
      set: (id, label, unit, system, value) => {
        let figure = this.#figures.get(id);
        if (!figure) {
          figure = { id, part, label, unit, values: {} };
          this.#figures.set(id, figure);
        }
        figure.values[system] = value;
      },
      note: (id, note) => {
        this.#notes.set(id, [...(this.#notes.get(id) ?? []), note]);
      },
      skip: (system, reason) => {
        this.#skipped.push({ system, part, reason });
      },
    };
  }

  /** The value of figure `id` for `system`, if measured. */
  get(id: string, system: SystemKey): number | undefined {
    return this.#figures.get(id)?.values[system];
  }

  figures(): Figure[] {
    return [...this.#figures.values()].map((f) => {
      const notes = this.#notes.get(f.id);
      return { ...f, values: { ...f.values }, ...(notes && { note: notes.join('; ') }) };
    });
  }

  skipped(): Skip[] {
    return [...this.#skipped];
  }
}
