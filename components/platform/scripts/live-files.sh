#!/bin/sh
# live-files: a workload's config files changed on docker without replacing its container.
#
# A docker container's uploaded files cannot change in place (a new upload replaces the
# container), and the edge cannot overlap itself (it holds the host ports), so a config-only
# change of the edge would be an outage. Instead its live files sit in a named volume:
#
#   live-files.sh write              the config-writer job: runs once per change of the files, in
#                                    the workload's own image, with the new files uploaded at
#                                    their real paths in LIVE_DIR. It checks them there (same
#                                    binary, same paths), copies them into the volume (one
#                                    rename per file, the generation last) and waits until the
#                                    running workload has applied them. A check that fails
#                                    changes nothing.
#   live-files.sh watch -- CMD...    the workload's entrypoint: runs CMD, and each second
#                                    touches a heartbeat and, when the generation changed, runs
#                                    the check and then the reload, recording "GEN ok" or
#                                    "GEN failed: why" for the writer.
#
# POSIX sh: the edge images are Debian (dash) or Alpine (busybox).
#
# Environment (both): LIVE_DIR (the directory of live files), LIVE_CHECK (the command that
# validates them, words separated by spaces, no quoting).
# write only: LIVE_VOLUME (where the job mounts the volume), LIVE_GENERATION (a hash of the
# files), LIVE_OWNER (uid:gid the workload runs as), LIVE_WAIT_SECONDS (default 60).
# watch only: LIVE_RELOAD (the command that loads them in the running process),
# LIVE_SETTLE_SECONDS (default 2, how long after the reload the change counts as applied).

log() { printf 'live-files: %s\n' "$*" >&2; }
die() {
    log "$*"
    exit 1
}
one_line() { tr '\n' ' ' | sed 's/  */ /g; s/ $//'; }

: "${LIVE_DIR:?LIVE_DIR is not set}" "${LIVE_CHECK:?LIVE_CHECK is not set}"

write() {
    : "${LIVE_VOLUME:?}" "${LIVE_GENERATION:?}" "${LIVE_OWNER:?}"
    wait_seconds=${LIVE_WAIT_SECONDS:-60}
    # shellcheck disable=SC2086 # LIVE_CHECK is a word list by contract
    if ! out=$($LIVE_CHECK 2>&1); then
        die "generation $LIVE_GENERATION fails its check ($LIVE_CHECK), so nothing changed: $(printf '%s' "$out" | one_line)"
    fi
    cd "$LIVE_DIR" || die "cannot enter $LIVE_DIR"
    # Owner-only: the workload's user reads them (one of them is the TLS key).
    find . -type f | while IFS= read -r f; do
        rel=${f#./}
        dir=$(dirname "$rel")
        mkdir -p "$LIVE_VOLUME/$dir" || exit 1
        tmp="$LIVE_VOLUME/$dir/.tmp.$$"
        cp "$rel" "$tmp" && chmod 600 "$tmp" && chown "$LIVE_OWNER" "$tmp" && mv -f "$tmp" "$LIVE_VOLUME/$rel" || exit 1
    done || die "could not copy the files into the volume"
    find "$LIVE_VOLUME" -mindepth 1 -type d -exec chmod 700 {} + -exec chown "$LIVE_OWNER" {} + || die "could not own the volume's directories"
    if ! { chmod 700 "$LIVE_VOLUME" && chown "$LIVE_OWNER" "$LIVE_VOLUME"; }; then die "could not own the volume"; fi
    if ! { printf '%s\n' "$LIVE_GENERATION" >"$LIVE_VOLUME/.generation.tmp" &&
        chown "$LIVE_OWNER" "$LIVE_VOLUME/.generation.tmp" &&
        mv -f "$LIVE_VOLUME/.generation.tmp" "$LIVE_VOLUME/.generation"; }; then
        die "could not record generation $LIVE_GENERATION"
    fi

    heartbeat="$LIVE_VOLUME/.heartbeat"
    if [ ! -f "$heartbeat" ] || [ $(($(date +%s) - $(stat -c %Y "$heartbeat"))) -gt 10 ]; then
        log "generation $LIVE_GENERATION is in place; no running workload watches it, so it loads it when it starts"
        exit 0
    fi
    deadline=$(($(date +%s) + wait_seconds))
    while [ "$(date +%s)" -le "$deadline" ]; do
        applied=$(cat "$LIVE_VOLUME/.applied" 2>/dev/null || true)
        case "$applied" in
        "$LIVE_GENERATION ok"*)
            log "generation $LIVE_GENERATION applied by the running workload"
            exit 0
            ;;
        "$LIVE_GENERATION failed"*)
            die "the running workload refused generation $LIVE_GENERATION and keeps its previous config: ${applied#* failed: }"
            ;;
        esac
        sleep 1
    done
    die "the running workload did not apply generation $LIVE_GENERATION within ${wait_seconds}s (last: ${applied:-nothing}); its files are in place and load at its next start"
}

record() {
    printf '%s\n' "$1" >"$LIVE_DIR/.applied.tmp" && mv -f "$LIVE_DIR/.applied.tmp" "$LIVE_DIR/.applied"
}

watch() {
    [ "${1:-}" = "--" ] && shift
    [ $# -gt 0 ] || die "watch needs the command to run after --"
    : "${LIVE_RELOAD:?LIVE_RELOAD is not set}"
    "$@" &
    child=$!
    # docker stop signals this shell (under docker-init): pass the signal on, so the workload
    # shuts down its own way (nginx: QUIT is graceful).
    trap 'kill -TERM "$child" 2>/dev/null' TERM
    trap 'kill -QUIT "$child" 2>/dev/null' QUIT
    trap 'kill -INT "$child" 2>/dev/null' INT
    applied=$(cat "$LIVE_DIR/.generation" 2>/dev/null || echo none)
    record "$applied ok (at start)"
    while kill -0 "$child" 2>/dev/null; do
        touch "$LIVE_DIR/.heartbeat"
        generation=$(cat "$LIVE_DIR/.generation" 2>/dev/null || echo none)
        if [ "$generation" != "$applied" ]; then
            # shellcheck disable=SC2086 # word lists by contract
            if out=$($LIVE_CHECK 2>&1) && out=$($LIVE_RELOAD 2>&1); then
                # A reload command such as `nginx -s reload` only signals the process, which
                # starts new workers and retires the old ones a moment later. Acknowledge after
                # that moment, so nothing the old config used is stopped while it may still be used.
                sleep "${LIVE_SETTLE_SECONDS:-2}"
                record "$generation ok"
                log "applied generation $generation"
            else
                record "$generation failed: $(printf '%s' "$out" | one_line)"
                log "generation $generation refused, the previous config stays loaded: $(printf '%s' "$out" | one_line)"
            fi
            applied=$generation
        fi
        # In the background so that a signal interrupts the wait at once.
        sleep 1 &
        wait $! 2>/dev/null
    done
    wait "$child"
    status=$?
    # A signal that arrives during wait ends the wait, not the workload: wait again.
    while kill -0 "$child" 2>/dev/null; do
        wait "$child"
        status=$?
    done
    return "$status"
}

case "${1:-}" in
write) write ;;
watch)
    shift
    watch "$@"
    ;;
*) die "usage: live-files.sh write | watch -- COMMAND..." ;;
esac
