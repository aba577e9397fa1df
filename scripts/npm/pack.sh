#!/usr/bin/env bash
# Packs guardmin's npm packages into tarballs under target/npm-pack/ (ignored by git):
#   guardmin-<version>.tgz              `guardmin` (npm/): the launcher, the plugins, their types
#   guardmin-<platform>-<version>.tgz   `@guardmin/<platform>` (npm/platforms/<platform>/ plus
#                                       the binary): linux-x64-gnu, darwin-arm64, ...
#
#   scripts/npm/pack.sh                     cargo build --release for this machine; pack guardmin
#                                           and this machine's platform package
#   scripts/npm/pack.sh --binary PATH       the same with a binary already built (no cargo)
#   scripts/npm/pack.sh --platform KEY --binary PATH
#                                           only @guardmin/KEY, e.g. a cross-built binary
#                                           (.github/workflows/release.yml, one per target)
#   scripts/npm/pack.sh --main              only guardmin
#   --profile NAME   the cargo profile to build (default release; dist is the shipped one)
#   --out DIR        write the tarballs to DIR instead of target/npm-pack
#
# It stops when the versions disagree: Cargo.toml's, npm/package.json's, the platform
# package's and guardmin's pins of the platform packages (optionalDependencies) must all be
# the same. A binary that can run here must print `guardmin <version>` for --version.
# Prints the path of each tarball it wrote, one a line.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

binary="" platform="" main=1 plat=1 profile=release out="$root/target/npm-pack"
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$2; shift 2 ;;
    --platform) platform=$2; main=0; shift 2 ;;
    --main) plat=0; shift ;;
    --profile) profile=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "pack.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ -n "$platform" ] && [ -z "$binary" ]; then
  echo "pack.sh: --platform needs --binary (the binary built for that platform)" >&2
  exit 2
fi
command -v node >/dev/null && command -v npm >/dev/null || { echo "pack.sh: needs node and npm" >&2; exit 1; }

# The crate's version: the first `version = "..."` of Cargo.toml, in [package].
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)
[ -n "$version" ] || { echo "pack.sh: no version in Cargo.toml" >&2; exit 1; }

# Which platform packages this machine can run, best first (lib/binary.cjs decides, as the
# launcher does).
host_keys=$(node -e 'console.log(require("./npm/lib/binary.cjs").platformCandidates().join(" "))')
[ -n "$platform" ] || platform=${host_keys%% *}

# Every version and pin must be the crate's.
node - "$version" "$platform" "$plat" <<'EOF'
const fs = require('node:fs');
const [version, key, plat] = process.argv.slice(2);
const read = (f) => JSON.parse(fs.readFileSync(f, 'utf8'));
const main = read('npm/package.json');
const bad = [];
if (main.version !== version) bad.push(`npm/package.json has version ${main.version}`);
const pins = main.optionalDependencies || {};
for (const [name, pin] of Object.entries(pins)) {
  if (pin !== version) bad.push(`npm/package.json pins ${name} at ${pin}`);
}
if (plat === '1') {
  const dir = `npm/platforms/${key}`;
  if (!fs.existsSync(`${dir}/package.json`)) {
    console.error(`pack.sh: there is no platform package ${key} (npm/platforms: ${fs.readdirSync('npm/platforms').join(', ')})`);
    process.exit(1);
  }
  const p = read(`${dir}/package.json`);
  if (p.version !== version) bad.push(`${dir}/package.json has version ${p.version}`);
  if (!(p.name in pins)) bad.push(`npm/package.json has no optional dependency on ${p.name}`);
}
if (bad.length) {
  console.error(`pack.sh: Cargo.toml has version ${version}, but ${bad.join('; ')}`);
  process.exit(1);
}
EOF

mkdir -p "$out"
out=$(cd "$out" && pwd)
stage="$out/.stage"
rm -rf "$stage"
mkdir -p "$stage"
trap 'rm -rf "$stage"' EXIT

# `npm pack` in DIR into $out; prints the tarball's path.
pack() {
  local name
  name=$(cd "$1" && npm pack --ignore-scripts --pack-destination "$out" --loglevel=error | tail -n1)
  [ -f "$out/$name" ] || { echo "pack.sh: npm pack in $1 wrote no tarball" >&2; exit 1; }
  echo "$out/$name"
}

if [ "$plat" = 1 ]; then
  if [ -z "$binary" ]; then
    echo "pack.sh: cargo build --profile $profile" >&2
    cargo build --profile "$profile" --locked >&2
    dir=$profile
    [ "$profile" = dev ] && dir=debug
    # Where cargo put it: CARGO_TARGET_DIR and .cargo/config.toml can move target/.
    target_dir=$(cargo metadata --format-version 1 --no-deps --locked |
      node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).target_directory')
    binary="$target_dir/$dir/guardmin"
    case "$platform" in win32-*) binary="$binary.exe" ;; esac
  fi
  [ -f "$binary" ] || { echo "pack.sh: no binary at $binary" >&2; exit 1; }
  file=guardmin
  case "$platform" in win32-*) file=guardmin.exe ;; esac
  pkg="$stage/$platform"
  mkdir -p "$pkg"
  cp "npm/platforms/$platform/package.json" "$pkg/"
  cp "$binary" "$pkg/$file"
  chmod 755 "$pkg/$file"
  cat > "$pkg/README.md" <<EOF
# @guardmin/$platform

The \`guardmin\` binary for $platform, version $version. Install
[\`guardmin\`](https://www.npmjs.com/package/guardmin) instead: it depends on this package
where it fits and its \`guardmin\` command runs this binary.
EOF
  # A binary that can run here must be the version it is packed as.
  case " $host_keys " in
    *" $platform "*)
      said=$("$pkg/$file" --version)
      [ "$said" = "guardmin $version" ] || { echo "pack.sh: $binary --version says '$said', not 'guardmin $version'" >&2; exit 1; }
      ;;
  esac
  pack "$pkg"
fi
if [ "$main" = 1 ]; then
  pack npm
fi
