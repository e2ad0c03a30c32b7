/** The hidden marker that finds a cluster's sticky pull-request comment again, on any platform. */

/** The hidden marker for a cluster: an HTML comment, lowercase, e.g. <!-- aks-guard:sub/rg/cluster --> */
export function commentMarker(
  subscriptionId: string,
  resourceGroup: string,
  clusterName: string,
): string {
  // Azure names hold no "<", ">" or whitespace; dropping them keeps the HTML comment well formed.
  const part = (s: string): string =>
    s
      .trim()
      .toLowerCase()
      .replace(/[<>\s]/g, '');
  return `<!-- aks-guard:${part(subscriptionId)}/${part(resourceGroup)}/${part(clusterName)} -->`;
}
