// RFC 3339 with nanoseconds, UTC, as Go prints time.Time (runc's "created").
export function rfc3339Nano(): string {
  const ms = Date.now();
  const ns = process.hrtime.bigint() % 1_000_000n;
  const iso = new Date(ms).toISOString(); // 2026-12-01T09:00:00.123Z
  return `${iso.slice(0, 23)}${ns.toString().padStart(6, '0')}Z`;
}
