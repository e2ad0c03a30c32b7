/**
 * Just enough of Kubernetes' protobuf encoding to read what kubectl POSTs as
 * `application/vnd.kubernetes.protobuf` (a SelfSubjectAccessReview for `kubectl auth can-i`): the
 * `k8s\0` envelope around a runtime.Unknown, and the review's spec. Answers go back as JSON, which
 * kubectl's Accept header allows.
 */

type Fields = Map<number, (Buffer | number)[]>;

function varint(buf: Buffer, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  let i = at;
  for (;;) {
    if (i >= buf.length) throw new Error('truncated varint');
    const b = buf[i++]!;
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [value, i];
    shift += 7;
  }
}

function fields(buf: Buffer): Fields {
  const out: Fields = new Map();
  let i = 0;
  while (i < buf.length) {
    const [key, next] = varint(buf, i);
    i = next;
    const field = Math.floor(key / 8);
    const wire = key % 8;
    let value: Buffer | number;
    if (wire === 0) [value, i] = varint(buf, i);
    else if (wire === 2) {
      const [length, start] = varint(buf, i);
      value = buf.subarray(start, start + length);
      i = start + length;
    } else if (wire === 1) {
      value = 0;
      i += 8;
    } else if (wire === 5) {
      value = 0;
      i += 4;
    } else throw new Error(`unsupported wire type ${wire}`);
    const list = out.get(field) ?? [];
    list.push(value);
    out.set(field, list);
  }
  return out;
}

function bytes(f: Fields, n: number): Buffer | undefined {
  const v = f.get(n)?.[0];
  return Buffer.isBuffer(v) ? v : undefined;
}

function str(f: Fields, n: number): string {
  return bytes(f, n)?.toString('utf8') ?? '';
}

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** The SelfSubjectAccessReview's spec in its JSON form, from a protobuf request body. */
export function selfSubjectAccessReviewSpec(body: Buffer): Record<string, unknown> {
  if (!body.subarray(0, 4).equals(MAGIC)) throw new Error('not a Kubernetes protobuf message');
  const unknown = fields(body.subarray(4));
  const raw = bytes(unknown, 2);
  if (!raw) throw new Error('no object in the protobuf envelope');
  const spec = bytes(fields(raw), 2);
  if (!spec) return {};
  const s = fields(spec);
  const ra = bytes(s, 1);
  if (ra) {
    const r = fields(ra);
    return {
      resourceAttributes: {
        namespace: str(r, 1),
        verb: str(r, 2),
        group: str(r, 3),
        version: str(r, 4),
        resource: str(r, 5),
        subresource: str(r, 6),
        name: str(r, 7),
      },
    };
  }
  const nra = bytes(s, 2);
  if (nra) {
    const r = fields(nra);
    return { nonResourceAttributes: { path: str(r, 1), verb: str(r, 2) } };
  }
  return {};
}
