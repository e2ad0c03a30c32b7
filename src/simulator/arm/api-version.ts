/**
 * api-version checks as ARM makes them: a missing one is 400 MissingApiVersionParameter, one that is
 * not a date 400 InvalidApiVersionParameter, and a well-formed one that the resource type was never
 * registered with (2023-05-17, 2024-02-30, 2025-10-01-preview: AKS publishes stable versions on the
 * 1st and previews on the 2nd, and not every month) 400 NoRegisteredProviderFound naming the
 * supported ones, as Azure/azure-cli#28368 shows it. The operation status API (operations/latest)
 * exists only in previews from 2024-01-02-preview on; the legacy orchestrators API only in
 * 2017-09-30 to 2019-08-01.
 */
import { armError } from './errors.ts';

export type ApiFamily = 'aks' | 'aks-preview-only' | 'orchestrators' | 'resources';

const FORMAT = /^(\d{4})-(\d{2})-(\d{2})(-preview)?$/;

/** Months (of each year) with a stable managedClusters api-version, published on the 1st. */
const STABLE_MONTHS: Record<number, number[]> = {
  2019: [2, 4, 6, 8, 10, 11],
  2020: [1, 2, 3, 4, 6, 7, 9, 11, 12],
  2021: [2, 3, 5, 7, 8, 9, 10],
  2022: [1, 2, 3, 4, 6, 7, 8, 9, 11],
  2023: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
  2024: [1, 2, 5, 7, 8, 9, 10],
  2025: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  2026: [1, 2, 3, 4, 5, 6, 7, 8, 10],
};
/** Months with a preview, published on the 2nd (older previews are retired). */
const PREVIEW_MONTHS: Record<number, number[]> = {
  2022: [7, 8, 9, 10, 11],
  2023: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
  2024: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  2025: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  2026: [1, 2, 3, 4, 5, 6, 7, 8, 10],
};

function monthly(months: Record<number, number[]>, day: string, suffix = ''): string[] {
  return Object.entries(months).flatMap(([year, ms]) =>
    ms.map((m) => `${year}-${String(m).padStart(2, '0')}-${day}${suffix}`),
  );
}

/**
 * Every api-version ARM serves Microsoft.ContainerService/managedClusters (and its agent pools,
 * upgrade profiles, kubernetesVersions, …) with, oldest first. From the provider's registration as
 * ARM lists it (Azure/azure-cli#28368, #23985) and the azure-rest-api-specs folders since; a
 * version dated after the simulated day is not out yet.
 */
export const AKS_API_VERSIONS: readonly string[] = [
  '2017-08-31',
  '2018-03-31',
  ...monthly(STABLE_MONTHS, '01'),
  ...monthly(PREVIEW_MONTHS, '02', '-preview'),
  '2022-08-03-preview',
].sort((a, b) => a.localeCompare(b));

/** The preview OperationStatusResult API (operations/latest, operations/{id}). */
const OPERATION_STATUS_API_VERSIONS = AKS_API_VERSIONS.filter(
  (v) => v.endsWith('-preview') && v >= '2024-01-02',
);

/** ContainerServices_ListOrchestrators (location.json), the API az 2.45's get-versions calls. */
const ORCHESTRATORS_API_VERSIONS = ['2017-09-30', '2019-04-01', '2019-06-01', '2019-08-01'];

const SUPPORTED_LOCATIONS =
  'eastus, westus2, westeurope, northeurope, uksouth, australiaeast, swedencentral';

/** The api-versions the family is served with on `today` (YYYY-MM-DD, the simulated date). */
export function supportedApiVersions(family: ApiFamily, today: string): string[] {
  const all =
    family === 'aks-preview-only'
      ? OPERATION_STATUS_API_VERSIONS
      : family === 'orchestrators'
        ? ORCHESTRATORS_API_VERSIONS
        : AKS_API_VERSIONS;
  return all.filter((v) => v.slice(0, 10) <= today);
}

/**
 * Checks the api-version of a request for `resourceType` (e.g. 'managedClusters') and returns it.
 * `location` is the one ARM names in NoRegisteredProviderFound: the resource's, or the URL's.
 */
export function checkApiVersion(
  family: ApiFamily,
  value: string | null,
  resourceType: string,
  today: string,
  location = 'global',
): string {
  if (!value) {
    throw armError(
      400,
      'MissingApiVersionParameter',
      'The api-version query parameter (?api-version=) is required for all requests.',
    );
  }
  if (!FORMAT.test(value)) {
    throw armError(
      400,
      'InvalidApiVersionParameter',
      `The api-version '${value}' is invalid. The supported versions are '${today},2026-08-01,2026-04-01,2025-10-01,2025-01-01,2024-08-01'.`,
    );
  }
  if (family === 'resources') return value;
  const supported = supportedApiVersions(family, today);
  if (!supported.includes(value)) {
    throw armError(
      400,
      'NoRegisteredProviderFound',
      `No registered resource provider found for location '${location}' and API version '${value}' for type '${resourceType}'. The supported api-versions are '${supported.join(', ')}'. The supported locations are '${SUPPORTED_LOCATIONS}'.`,
    );
  }
  return value;
}
