#!/usr/bin/env bash
# Create and fill the two benchmark databases on the local PostgreSQL (the large one takes ~20 min).
set -euo pipefail
cd "$(dirname "$0")/.."
PG=${PG:-postgresql://postgres@127.0.0.1:5432}
for spec in accountdesk_bench_small:10:7 accountdesk_bench:1000:365; do
  IFS=: read -r name orgs days <<< "$spec"
  createdb -h 127.0.0.1 -U postgres "$name" 2>/dev/null || echo "$name exists: demo-data resumes"
  export DATABASE_URL=$PG/$name INSTANCE_PATH=/tmp/$name
  .venv/bin/flask --app wsgi db upgrade
  .venv/bin/flask --app wsgi demo-data --orgs "$orgs" --days "$days"
done
