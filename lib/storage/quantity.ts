const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { '': 1, 'm': 1e-3, 'k': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12, 'P': 1e15, 'E': 1e18 };
const QUANTITY = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$/;
/** Common non-Kubernetes spellings and what the user almost certainly meant. */
const LOOKALIKES: Record<string, string> = {
  KB: 'Ki', KIB: 'Ki', MB: 'Mi', MIB: 'Mi', GB: 'Gi', GIB: 'Gi', TB: 'Ti', TIB: 'Ti', PB: 'Pi', PIB: 'Pi',
};

/**
 * Kubernetes resource quantities (`20Gi`, `500m`, `1.5G`): validation with a suggestion for
 * near misses, and conversion to numbers for derived settings (buffer sizes from memory limits).
 */
export class Quantity {
  /** Parses `value`, throwing `Invalid <what> '10GB': … use '10Gi'` for near misses. */
  public static parse(value: string, what = 'quantity'): Quantity {
    const text = String(value).trim();
    const match = QUANTITY.exec(text);
    if (!match) {
      const near = /^([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]+)$/.exec(text);
      const suffix = near ? LOOKALIKES[near[2].toUpperCase()] : undefined;
      const hint = near && suffix ? ` Did you mean '${near[1]}${suffix}'?` : '';
      throw new Error(`Invalid ${what} '${value}': not a Kubernetes quantity (e.g. '20Gi', '512Mi', '500m').${hint}`);
    }
    const suffix = match[2] ?? '';
    const scale = BINARY[suffix] ?? DECIMAL[suffix];
    return new Quantity(text, Number(match[1]) * scale);
  }

  /** A quantity of bytes in the largest binary unit that keeps it whole (`8Gi`, `768Mi`). */
  public static bytes(bytes: number): Quantity {
    const whole = Math.floor(bytes);
    for (const unit of ['Ti', 'Gi', 'Mi', 'Ki']) {
      if (whole >= BINARY[unit] && whole % BINARY[unit] === 0) return new Quantity(`${whole / BINARY[unit]}${unit}`, whole);
    }
    return new Quantity(String(whole), whole);
  }

  private constructor(
    /** The text as given, e.g. `20Gi`. */
    public readonly text: string,
    /** The value in base units (bytes, or cores for CPU). */
    public readonly value: number,
  ) {}

  public toString(): string {
    return this.text;
  }
}
