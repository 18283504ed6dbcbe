import type { ActivitySource } from '../lib/activity-source';

/** A page the test drives: hides and shows it, and gives input. */
export class FakeActivitySource implements ActivitySource {
  private isHidden: boolean;
  private readonly visibility = new Set<() => void>();
  private readonly inputs = new Set<() => void>();

  constructor(hidden = false) {
    this.isHidden = hidden;
  }

  /** Listeners in place now (visibility and input). */
  get listening(): number {
    return this.visibility.size + this.inputs.size;
  }

  hidden(): boolean {
    return this.isHidden;
  }

  onVisibilityChange(changed: () => void): () => void {
    this.visibility.add(changed);
    return () => this.visibility.delete(changed);
  }

  onInput(input: () => void): () => void {
    this.inputs.add(input);
    return () => this.inputs.delete(input);
  }

  setHidden(hidden: boolean): void {
    this.isHidden = hidden;
    for (const changed of [...this.visibility]) changed();
  }

  input(): void {
    for (const input of [...this.inputs]) input();
  }
}
