/**
 * Node image versions look like "AKSUbuntu-2204gen2containerd-202610.15.0": a family and a
 * release. The newest image of a family is the family with the region's newest release.
 */
export function latestNodeImage(current: string, release: string): string {
  const i = current.lastIndexOf('-');
  return i > 0 ? `${current.slice(0, i)}-${release}` : `${current}-${release}`;
}

export function defaultNodeImageFamily(osType: string, osSKU: string): string {
  if (osType.toLowerCase() === 'windows') return 'AKSWindows-2022-containerd';
  if (osSKU.toLowerCase() === 'azurelinux') return 'AKSAzureLinux-V3gen2';
  return 'AKSUbuntu-2204gen2containerd';
}
