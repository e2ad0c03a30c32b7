/**
 * api-version checks as ARM makes them. AKS publishes a stable version on the 1st of most months
 * and a preview on the 2nd; the operation status API (operations/latest) exists only in previews
 * from 2024-01-02-preview on.
 */
import { armError } from './errors.ts';

export type ApiFamily = 'aks' | 'aks-preview-only' | 'resources';

const FORMAT = /^(\d{4})-(\d{2})-(\d{2})(-preview)?$/;
const FIRST_AKS = '2017-08-31';
const FIRST_OPERATION_STATUS = '2024-01-02';

export function checkApiVersion(
  family: ApiFamily,
  value: string | null,
  resourceType: string,
  today: string,
): string {
  if (!value) {
    throw armError(
      400,
      'MissingApiVersionParameter',
      'The api-version query parameter (?api-version=) is required for all requests.',
    );
  }
  const m = FORMAT.exec(value);
  if (!m) {
    throw armError(
      400,
      'InvalidApiVersionParameter',
      `The api-version '${value}' is invalid. The supported versions are '${today},2026-08-01,2026-04-01,2025-10-01,2025-01-01,2024-08-01'.`,
    );
  }
  if (family === 'resources') return value;
  const date = `${m[1]}-${m[2]}-${m[3]}`;
  const preview = m[4] !== undefined;
  const unsupported =
    date < FIRST_AKS ||
    date > today ||
    (family === 'aks-preview-only' && (!preview || date < FIRST_OPERATION_STATUS));
  if (unsupported) {
    throw armError(
      400,
      'NoRegisteredProviderFound',
      `No registered resource provider found for location 'global' and API version '${value}' for type '${resourceType}'. The supported api-versions are '${family === 'aks-preview-only' ? '2024-01-02-preview, 2025-10-02-preview, 2026-08-02-preview' : '2024-08-01, 2025-10-01, 2026-04-01, 2026-06-01, 2026-08-01, 2026-08-02-preview'}'. The supported locations are 'eastus, westus2, westeurope, northeurope, uksouth, australiaeast, swedencentral'.`,
    );
  }
  return value;
}
