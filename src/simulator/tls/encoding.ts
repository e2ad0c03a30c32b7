/** What every certificate the simulator makes needs: PEM armour and an RFC 5280 serial number. */

/** DER bytes as PEM with this label (CERTIFICATE, PRIVATE KEY), 64 characters a line. */
export function pem(der: ArrayBuffer, label: string): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** A positive, non-zero 16-byte serial number, as RFC 5280 asks. */
export function serial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return Buffer.from(bytes).toString('hex');
}
