#!/usr/bin/env bash
# Refit the calibration shipped in the package (wardflow/agents/data/calibration.json)
# from the labelled invoice sets, and print how such a map does on a set it did not see
# (each set scored by maps fitted on the others).
#
#   scripts/refit_calibration.sh [--method isotonic|platt] [DATASET ...]
#
# Default sets: data/invoices, data/invoices-heldout, data/invoices-heldout2 and
# ../shared/data/invoices (when there). Each set is evaluated once with the parsers only
# (--model none) and calibration off; the map is fitted on the runs' raw scores. Set
# PYTHON to the interpreter to use (default: python). Takes about five minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
method=isotonic
if [ "${1:-}" = "--method" ]; then method="$2"; shift 2; fi
if [ "$#" -eq 0 ]; then
    set -- data/invoices data/invoices-heldout data/invoices-heldout2
    if [ -f ../shared/data/invoices/labels.jsonl ]; then set -- "$@" ../shared/data/invoices; fi
fi
python="${PYTHON:-python}"
reports="$(mktemp -d)"
i=0
for dataset in "$@"; do
    i=$((i + 1))
    echo "evaluating ${dataset}" >&2
    WARDFLOW_CALIBRATION=off "${python}" -m wardflow --home "$(mktemp -d)" eval documents \
        "${dataset}" --model none -o "${reports}/set-${i}.json" > /dev/null
done
"${python}" -m wardflow --home "$(mktemp -d)" eval calibrate "${reports}"/set-*.json \
    --method "${method}" --leave-one-set-out -o wardflow/agents/data/calibration.json
