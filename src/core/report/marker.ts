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

/**
 * Whether a comment body is a sticky comment for `marker`: the run puts the marker at the very
 * start of the body, so only there does it count. Anywhere else it is quoted text (an Azure
 * message naming another cluster's marker, a pasted one), never the comment's own.
 */
export function opensWithMarker(body: string | null | undefined, marker: string): boolean {
  return marker !== '' && typeof body === 'string' && body.startsWith(marker);
}

/** The body the run writes: its marker first, then the content. */
export function markedBody(marker: string, body: string): string {
  return `${marker}\n${body}`;
}
