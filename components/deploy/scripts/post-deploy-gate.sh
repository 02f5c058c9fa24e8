#!/usr/bin/env bash
# post-deploy-gate: after `pulumi up` has changed the edge or the app, asks the platform's public
# URLs from the machine running the update and fails the update unless each answers 200 within a
# time budget. Pulumi runs it as the PostDeployGate's local command (components/deploy/gate.ts),
# passing the script on stdin; it also runs stand-alone:
#
#   GATE_URLS="https://localhost:8443/api/v1/health https://localhost:8443/" \
#   GATE_CONNECT_TO=localhost:8443 GATE_CA_FILE=/path/to/ca.pem \
#   bash components/deploy/scripts/post-deploy-gate.sh
#
# Every setting is an environment variable, so nothing is interpolated into a command line:
#   GATE_URLS                     required; the URLs to check, in order, separated by whitespace.
#                                 Each must answer 200 itself: redirects are not followed.
#   GATE_BUDGET_SECONDS           whole seconds all the checks together may take (default 120).
#   GATE_INTERVAL_SECONDS         pause between two attempts at a URL (default 5).
#   GATE_REQUEST_TIMEOUT_SECONDS  longest one attempt may take (default 10; never past the budget).
#   GATE_CONNECT_TO               optional "host:port" to connect to instead of each URL's own host
#                                 and port (curl --connect-to): the request keeps the URL's name as
#                                 Host and TLS SNI, and the certificate is checked against that name.
#                                 On docker, the edge's published https port on localhost.
#   GATE_CA_PEM                   optional PEM certificate(s) to trust (the dev stack's self-signed
#                                 one); written to a private temp file for curl --cacert.
#   GATE_CA_FILE                  optional path of a PEM CA bundle to trust instead (not with
#                                 GATE_CA_PEM). Without either, the system's CAs are trusted.
# The certificate is always checked (never -k).
#
# Output: one line per URL that answered 200, on stdout. On failure exactly one line on stderr
# that names the URL and the last status, or the connection error when there was no answer, and
# exit status 1; a bad setting is one line and exit status 2. Nothing it prints comes from the
# environment except the URLs (their user:password part, if any, is masked) and GATE_CONNECT_TO.
#
# Needs bash (3.2 or newer: the macOS one does) and curl.
set -euo pipefail

# The temp dir (curl's stderr, the CA file) is global so the EXIT trap still sees it after main.
tmp=""
trap '[[ -n "$tmp" ]] && rm -rf -- "$tmp"' EXIT

# The whole script is one function, called on the last line: bash reading it from stdin has then
# parsed all of it before anything runs, so no command can consume the rest of the script.
main() {
    local name="post-deploy gate"

    # usage MESSAGE: a bad setting; one line, exit 2.
    usage() {
        printf '%s: %s\n' "$name" "$1" >&2
        exit 2
    }
    # whole NAME VALUE: VALUE is a whole number >= 1.
    whole() {
        if [[ ! $2 =~ ^[0-9]+$ ]] || ((10#$2 < 1)); then
            usage "$1 must be a whole number of seconds, at least 1; got \"$2\""
        fi
    }
    # shown URL: the URL with any user:password masked.
    shown() {
        local re='^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@(.*)$'
        if [[ $1 =~ $re ]]; then
            printf '%s***@%s' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
        else
            printf '%s' "$1"
        fi
    }
    # plural N: "s" unless N is 1.
    plural() {
        if [[ $1 == 1 ]]; then printf ''; else printf 's'; fi
    }

    local urls_text="${GATE_URLS:-}"
    local budget="${GATE_BUDGET_SECONDS:-120}"
    local interval="${GATE_INTERVAL_SECONDS:-5}"
    local request_timeout="${GATE_REQUEST_TIMEOUT_SECONDS:-10}"
    local connect_to="${GATE_CONNECT_TO:-}"
    local ca_pem="${GATE_CA_PEM:-}"
    local ca_file="${GATE_CA_FILE:-}"

    # Split on whitespace without globbing (a URL may hold "?" or "*").
    local -a urls=()
    IFS=$' \t\n' read -r -d '' -a urls <<<"$urls_text" || true
    ((${#urls[@]} > 0)) || usage "GATE_URLS is empty; set it to the URLs to check, separated by spaces"
    local u
    for u in "${urls[@]}"; do
        [[ $u =~ ^https?:// ]] || usage "GATE_URLS: \"$(shown "$u")\" is not an http(s) URL"
    done
    whole GATE_BUDGET_SECONDS "$budget"
    whole GATE_INTERVAL_SECONDS "$interval"
    whole GATE_REQUEST_TIMEOUT_SECONDS "$request_timeout"
    budget=$((10#$budget))
    interval=$((10#$interval))
    request_timeout=$((10#$request_timeout))
    if [[ -n $connect_to && ! $connect_to =~ ^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):[0-9]+$ ]]; then
        usage "GATE_CONNECT_TO must be host:port (an IPv6 address in brackets); got \"$connect_to\""
    fi
    if [[ -n $ca_pem && -n $ca_file ]]; then usage "set GATE_CA_PEM or GATE_CA_FILE, not both"; fi
    if [[ -n $ca_file && ! -r $ca_file ]]; then usage "GATE_CA_FILE \"$ca_file\" is not a readable file"; fi

    tmp=$(mktemp -d "${TMPDIR:-/tmp}/post-deploy-gate.XXXXXX")
    local -a curl_args=(--silent --show-error --output /dev/null --write-out '%{http_code}' --proto '=http,https')
    local via=""
    if [[ -n $connect_to ]]; then
        curl_args+=(--connect-to "::$connect_to")
        via=" (via $connect_to)"
    fi
    if [[ -n $ca_pem ]]; then
        printf '%s\n' "$ca_pem" >"$tmp/ca.pem"
        curl_args+=(--cacert "$tmp/ca.pem")
    elif [[ -n $ca_file ]]; then
        curl_args+=(--cacert "$ca_file")
    fi

    # SECONDS counts whole seconds since the shell started; the budget starts now.
    local start=$SECONDS
    local deadline=$((start + budget))
    local url attempts status last remaining max_time err
    local curl_error_re='^curl: \(([0-9]+)\) (.*)$'
    for url in "${urls[@]}"; do
        attempts=0
        last="gave no answer"
        while :; do
            remaining=$((deadline - SECONDS))
            if ((remaining <= 0)); then
                printf '%s: %s%s %s after %d attempt%s in %d s (budget %d s); the update is not healthy\n' \
                    "$name" "$(shown "$url")" "$via" "$last" "$attempts" "$(plural "$attempts")" "$((SECONDS - start))" "$budget" >&2
                exit 1
            fi
            max_time=$((remaining < request_timeout ? remaining : request_timeout))
            attempts=$((attempts + 1))
            if status=$(curl "${curl_args[@]}" --connect-timeout "$max_time" --max-time "$max_time" -- "$url" 2>"$tmp/err"); then
                if [[ $status == 200 ]]; then
                    printf '%s: %s%s answered 200 after %d attempt%s in %d s\n' \
                        "$name" "$(shown "$url")" "$via" "$attempts" "$(plural "$attempts")" "$((SECONDS - start))"
                    break
                fi
                last="answered $status"
            else
                # No HTTP answer: say why in curl's words, its "curl: (N) ..." line (a certificate
                # error adds lines of advice after it), e.g. "Couldn't connect to server".
                err=$(grep -m 1 '^curl: (' "$tmp/err" || head -n 1 "$tmp/err")
                if [[ $err =~ $curl_error_re ]]; then
                    last="gave no answer (curl error ${BASH_REMATCH[1]}: ${BASH_REMATCH[2]})"
                else
                    last="gave no answer (${err:-curl failed without a message})"
                fi
            fi
            remaining=$((deadline - SECONDS))
            if ((remaining > 0)); then sleep "$((remaining < interval ? remaining : interval))"; fi
        done
    done
}

main "$@" </dev/null
