#!/usr/bin/env bash
# Feeds what the offline plan rendered for a stack (npm run plan -- STACK --out DIR) to the real
# tools that consume it in production: promtool, amtool, blackbox_exporter, shellcheck.
# Usage: tools/check-artifacts.sh DIR
set -euo pipefail
dir=${1:?usage: tools/check-artifacts.sh DIR (the --out directory of npm run plan)}
files="$dir/files"
[[ -d $files ]] || { echo "check-artifacts: $files does not exist; run npm run plan -- STACK --out $dir first" >&2; exit 2; }

checked=0
run() {
    printf '  %s\n' "$*"
    "$@" >/dev/null 2>"$dir/.check.err" || { cat "$dir/.check.err" >&2; echo "check-artifacts: failed: $*" >&2; exit 1; }
    checked=$((checked + 1))
}

echo "checking the rendered files of $dir"
run promtool check config --syntax-only "$files/prometheus/etc/prometheus/prometheus.yml"
for rules in "$files"/prometheus/etc/prometheus/rules/*.yml; do
    run promtool check rules "$rules"
done
am="$files/alertmanager/etc/alertmanager/alertmanager.yml"
if [[ -f $am ]]; then
    run amtool check-config "$am"
else
    echo "  (alertmanager.yml is a secret in this stack: it embeds the heartbeat URL; not written)"
fi
run prometheus-blackbox-exporter --config.check --config.file="$files/blackbox-exporter/etc/blackbox_exporter/config.yml"
while IFS= read -r -d '' script; do
    run shellcheck "$script"
done < <(find "$files" -path '*/opt/proteamcare/*' -type f -print0)
rm -f "$dir/.check.err"
echo "check-artifacts: $checked checks passed"
