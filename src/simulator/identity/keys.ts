/** RS256 signing keys for the simulated token issuers (Entra ID, GitHub Actions OIDC). */
import { createHash, randomUUID } from 'node:crypto';
import {
  SignJWT,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  type CryptoKey,
} from 'jose';

export class SigningKey {
  readonly kid: string;
  private readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly publicJwk: JWK;

  private constructor(kid: string, privateKey: CryptoKey, publicKey: CryptoKey, publicJwk: JWK) {
    this.kid = kid;
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.publicJwk = publicJwk;
  }

  static async create(): Promise<SigningKey> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk = await exportJWK(publicKey);
    const kid = createHash('sha1').update(JSON.stringify(jwk)).digest('base64url');
    return new SigningKey(kid, privateKey, publicKey, { ...jwk, kid, use: 'sig', alg: 'RS256' });
  }

  sign(claims: JWTPayload): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.kid, x5t: this.kid })
      .sign(this.privateKey);
  }

  jwks(): { keys: JWK[] } {
    return { keys: [this.publicJwk] };
  }
}

export function newId(): string {
  return randomUUID();
}
