const SEMVER = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/** Orders versions as semver does (a prerelease sorts before its release); non-semver strings sort first. */
export function compareSemver(a: string, b: string): number {
  const left = SEMVER.exec(a);
  const right = SEMVER.exec(b);
  if (!left || !right) {
    return left ? 1 : right ? -1 : a.localeCompare(b);
  }
  for (let i = 1; i <= 3; i++) {
    const difference = Number(left[i]) - Number(right[i]);
    if (difference !== 0) {
      return Math.sign(difference);
    }
  }
  const [leftPre, rightPre] = [left[4], right[4]];
  if (leftPre === rightPre) {
    return 0;
  }
  if (leftPre === undefined) {
    return 1;
  }
  if (rightPre === undefined) {
    return -1;
  }
  return comparePrerelease(leftPre, rightPre);
}

function comparePrerelease(a: string, b: string): number {
  const leftParts = a.split('.');
  const rightParts = b.split('.');
  for (let i = 0; i < Math.max(leftParts.length, rightParts.length); i++) {
    const left = leftParts[i];
    const right = rightParts[i];
    if (left === undefined) {
      return -1;
    }
    if (right === undefined) {
      return 1;
    }
    const bothNumeric = /^\d+$/.test(left) && /^\d+$/.test(right);
    const difference = bothNumeric ? Number(left) - Number(right) : left.localeCompare(right);
    if (difference !== 0) {
      return Math.sign(difference);
    }
  }
  return 0;
}

/** The next patch version: 1.2.3 → 1.2.4 (used to suggest a version when saving a template). */
export function nextPatchVersion(version: string): string {
  const match = SEMVER.exec(version);
  if (!match) {
    return '1.0.0';
  }
  return `${match[1]}.${match[2]}.${Number(match[3]) + 1}`;
}
