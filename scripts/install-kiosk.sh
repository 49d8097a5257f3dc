#!/usr/bin/env bash
# Set up a Debian machine as a kiosk: the app in /opt/leg-kiosk with its own .venv,
# an unprivileged "kiosk" user in the audio group, /etc/leg-kiosk/config.yaml (from
# config/kiosk.example.yaml, only when absent), and the systemd service, enabled.
#
# Usage: sudo scripts/install-kiosk.sh [--dry-run] [--with-screen]
#   --dry-run      print what would be done; change nothing
#   --with-screen  also show the kiosk's screen page full screen at boot
#                  (Chromium in kiosk mode inside the cage compositor on tty1)
#
# Safe to run again (after an update, say): it copies the app afresh, keeps the
# config and the summaries, and restarts the service.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
prefix=/opt/leg-kiosk
etc=/etc/leg-kiosk
config=$etc/config.yaml
units=/etc/systemd/system
state=/var/lib/leg-kiosk
user=kiosk
dry=""
screen=""

for arg in "$@"; do
  case $arg in
    --dry-run) dry=1 ;;
    --with-screen) screen=1 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install-kiosk: unknown option $arg (try --help)" >&2; exit 2 ;;
  esac
done

say() { printf 'install-kiosk: %s\n' "$*"; }
run() {
  if [ -n "$dry" ]; then printf 'would run: %s\n' "$*"; else "$@"; fi
}
# put FILE MODE: install standard input as FILE, unless it already holds exactly that.
put() {
  local file=$1 mode=$2 new
  new=$(cat)
  if [ -f "$file" ] && [ "$(cat "$file")" = "$new" ]; then
    say "$file is up to date"
  elif [ -n "$dry" ]; then
    printf 'would write: %s\n' "$file"
    printf '%s\n' "$new" | sed 's/^/    | /'
  else
    mkdir -p "$(dirname "$file")"
    printf '%s\n' "$new" > "$file.new" && chmod "$mode" "$file.new" && mv "$file.new" "$file"
    say "wrote $file"
  fi
}

if [ -z "$dry" ] && [ "$(id -u)" -ne 0 ]; then
  say "run this as root (sudo $0 $*), or with --dry-run to see what it would do"
  exit 1
fi

# 1. The unprivileged user, allowed to use the sound card.
if id "$user" >/dev/null 2>&1; then
  say "user $user exists"
  if ! id -nG "$user" | tr ' ' '\n' | grep -qx audio; then
    run usermod -aG audio "$user"
  fi
else
  run useradd --system --user-group --groups audio --home-dir "$state" --no-create-home \
    --shell /usr/sbin/nologin "$user"
fi

# 2. The app and its .venv (scripts/bootstrap also installs the Debian packages it needs).
if [ "$src" != "$prefix" ]; then
  run mkdir -p "$prefix"
  if [ -n "$dry" ]; then
    printf 'would copy: %s -> %s (without .git, .venv, reports and caches)\n' "$src" "$prefix"
  else
    tar -C "$src" --exclude=./.git --exclude=./.venv --exclude=./reports \
      --exclude='__pycache__' --exclude=./.pytest_cache --exclude=./.mypy_cache \
      --exclude=./.ruff_cache -cf - . | tar -C "$prefix" --no-same-owner -xf -
    say "copied the app to $prefix"
  fi
fi
run "$prefix/scripts/bootstrap"
if [ -d "$prefix/models/vosk-model-small-en-us-0.15" ] || [ -d "$prefix/models/en" ]; then
  say "the English speech model is in $prefix/models"
else
  run "$prefix/.venv/bin/python" "$prefix/scripts/fetch_model.py" en \
    || say "could not fetch the English speech model (offline?); see models/README.md"
fi

# 3. The config: written once from the example, never overwritten.
if [ -f "$config" ]; then
  say "keeping $config"
else
  run install -D -m 0644 "$src/config/kiosk.example.yaml" "$config"
fi

# 4. The folders the config names (summaries, alerts, the network outbox): owned by the kiosk user and the
#    only places besides /var/lib/leg-kiosk the service may write.
kiosk=$prefix/.venv/bin/kiosk
[ -x "$kiosk" ] || kiosk=$src/.venv/bin/kiosk
shown=$config
[ -f "$shown" ] || shown=$src/config/kiosk.example.yaml
writable=("$state")
# writable_too FOLDER: add FOLDER to the writable list unless it is already there.
writable_too() {
  local folder
  for folder in "${writable[@]}"; do [ "$folder" = "$1" ] && return 0; done
  writable+=("$1")
}
if [ -x "$kiosk" ]; then
  settings=$("$kiosk" --check-config "$shown")  # stops here, naming the key, if it is broken
  reports=$(printf '%s\n' "$settings" | sed -n 's/^report_dir: //p')
  alerts=$(printf '%s\n' "$settings" | sed -n '/^alert:/,$ s/^  file: //p')
  outbox=$(printf '%s\n' "$settings" | sed -n '/^network:/,$ s/^  outbox_dir: //p')
  writable_too "$reports"
  if [ -n "$alerts" ] && [ "$alerts" != null ]; then writable_too "$(dirname "$alerts")"; fi
  if [ -n "$outbox" ]; then writable_too "$outbox"; fi
else
  say "the kiosk is not installed yet, so the folders in $shown cannot be read"
fi
for folder in "${writable[@]}"; do
  run install -d -m 0750 -o "$user" -g "$user" "$folder"
done
put "$units/leg-kiosk.service.d/paths.conf" 0644 <<EOF
# Written by install-kiosk.sh from $config: the folders the kiosk writes to.
[Service]
ReadWritePaths=${writable[*]}
EOF

# 5. The service (and, with --with-screen, the browser that shows the screen page).
put "$units/leg-kiosk.service" 0644 < "$src/deploy/leg-kiosk.service"
services=(leg-kiosk.service)
if [ -n "$screen" ]; then
  missing=""
  for deb in cage chromium; do dpkg -s "$deb" >/dev/null 2>&1 || missing="$missing $deb"; done
  if [ -n "$missing" ]; then
    # shellcheck disable=SC2086
    run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
  fi
  put "$units/leg-kiosk.service.d/screen.conf" 0644 <<EOF
# Written by install-kiosk.sh --with-screen: the kiosk also serves its screen page.
[Service]
ExecStart=
ExecStart=$prefix/.venv/bin/kiosk --config $config --screen -v
EOF
  put "$units/leg-kiosk-screen.service" 0644 < "$src/deploy/leg-kiosk-screen.service"
  services+=(leg-kiosk-screen.service)
fi
if [ -d /run/systemd/system ] || [ -n "$dry" ]; then
  run systemctl daemon-reload
  run systemctl enable "${services[@]}"
  run systemctl restart "${services[@]}"
else
  run systemctl enable "${services[@]}"
  say "systemd is not running here: the service starts at the next boot"
fi
say "done${dry:+ (dry run: nothing was changed)}. Check with: systemctl status leg-kiosk; journalctl -u leg-kiosk"
