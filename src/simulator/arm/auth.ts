/**
 * Bearer-token checks as ARM makes them: a missing, malformed, foreign, expired or wrong-audience
 * token gets 401 with ARM's error code and a WWW-Authenticate challenge naming the authority.
 */
import { decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import type { Clock } from '../clock.ts';
import { header, type SimRequest } from '../net/http-kit.ts';
import type { Directory, Principal } from '../identity/directory.ts';
import type { SigningKey } from '../identity/keys.ts';
import { armError } from './errors.ts';

export interface ArmAuthOptions {
  clock: Clock;
  directory: Directory;
  key: SigningKey;
  /** Audiences ARM accepts (with and without trailing slash). */
  audiences: (req: SimRequest) => string[];
  /** The login host clients should use, for the challenge header. */
  authority: (req: SimRequest) => string;
}

function armTime(ms: number): string {
  // ARM prints .NET's invariant format: 11/24/2026 3:04:05 AM
  const d = new Date(ms);
  const h = d.getUTCHours();
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${h % 12 === 0 ? 12 : h % 12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
}

export async function authenticate(req: SimRequest, o: ArmAuthOptions): Promise<Principal> {
  const challenge = (description: string): Record<string, string> => ({
    'WWW-Authenticate': `Bearer authorization_uri="${o.authority(req)}/${o.directory.tenantId}", error="invalid_token", error_description="${description}"`,
  });
  const auth = header(req, 'authorization');
  if (!auth) {
    throw armError(
      401,
      'AuthenticationFailed',
      "Authentication failed. The 'Authorization' header is missing.",
      {
        headers: challenge("The authentication failed because of missing 'Authorization' header."),
      },
    );
  }
  const m = /^Bearer\s+(\S+)$/i.exec(auth);
  if (!m) {
    throw armError(
      401,
      'AuthenticationFailed',
      "Authentication failed. The 'Authorization' header is provided in an invalid format.",
      {
        headers: challenge(
          "The authentication failed because of an invalid format of the 'Authorization' header.",
        ),
      },
    );
  }
  const token = m[1]!;
  let claims: JWTPayload;
  try {
    claims = decodeJwt(token);
  } catch {
    throw armError(401, 'InvalidAuthenticationToken', 'The access token is invalid.', {
      headers: challenge('The access token is invalid.'),
    });
  }
  const now = o.clock.now();
  try {
    await jwtVerify(token, o.key.publicKey, { currentDate: new Date(now), clockTolerance: 0 });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_JWT_EXPIRED' && typeof claims.exp === 'number') {
      throw armError(
        401,
        'ExpiredAuthenticationToken',
        `The access token expiry UTC time '${armTime(claims.exp * 1000)}' is earlier than current UTC time '${armTime(now)}'.`,
        { headers: challenge('The access token has expired.') },
      );
    }
    throw armError(401, 'InvalidAuthenticationToken', 'The access token is invalid.', {
      headers: challenge('The access token is invalid.'),
    });
  }
  const allowed = o.audiences(req);
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  const aud = text(claims.aud);
  if (!allowed.some((a) => a.toLowerCase() === aud.toLowerCase())) {
    throw armError(
      401,
      'InvalidAuthenticationTokenAudience',
      `The access token has been obtained for wrong audience or resource '${aud}'. It should exactly match with one of the allowed audiences ${allowed.map((a) => `'${a}'`).join(',')}.`,
      { headers: challenge('The access token has been obtained for wrong audience or resource.') },
    );
  }
  const tid = text(claims.tid);
  if (tid.toLowerCase() !== o.directory.tenantId.toLowerCase()) {
    throw armError(
      401,
      'InvalidAuthenticationTokenTenant',
      `The access token is from the wrong issuer '${text(claims.iss)}'. It must match the tenant 'https://sts.windows.net/${o.directory.tenantId}/' associated with this subscription. Please use the authority (URL) '${o.authority(req)}/${o.directory.tenantId}' to get the token.`,
      { headers: challenge('The access token is from the wrong issuer.') },
    );
  }
  const principal = o.directory.byObjectId(text(claims.oid));
  if (!principal) {
    throw armError(401, 'InvalidAuthenticationToken', 'The access token is invalid.', {
      headers: challenge('The access token is invalid.'),
    });
  }
  return principal;
}
