/** A binary min-heap of `{ id, due }` by due time (then id), for the delivery schedule. */
export class DueHeap {
  private readonly ids: number[] = [];
  private readonly dues: number[] = [];

  get size(): number {
    return this.ids.length;
  }

  peekDue(): number | undefined {
    return this.dues[0];
  }

  push(id: number, due: number): void {
    this.ids.push(id);
    this.dues.push(due);
    let i = this.ids.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  pop(): number | undefined {
    const n = this.ids.length;
    if (n === 0) return undefined;
    const top = this.ids[0];
    this.swap(0, n - 1);
    this.ids.pop();
    this.dues.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n - 1 && this.less(l, m)) m = l;
      if (r < n - 1 && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return top;
  }

  private less(a: number, b: number): boolean {
    const da = this.dues[a] as number;
    const db = this.dues[b] as number;
    return da < db || (da === db && (this.ids[a] as number) < (this.ids[b] as number));
  }

  private swap(a: number, b: number): void {
    const id = this.ids[a] as number;
    this.ids[a] = this.ids[b] as number;
    this.ids[b] = id;
    const due = this.dues[a] as number;
    this.dues[a] = this.dues[b] as number;
    this.dues[b] = due;
  }
}
