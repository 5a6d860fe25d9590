# Sourced by scripts/serve and scripts/test: a virtual environment with requirements.txt,
# created or updated only when requirements.txt has changed.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "creating .venv …" >&2
  "$PYTHON" -m venv .venv
fi
want="$(sha256sum requirements.txt | cut -d' ' -f1)"
have="$(cat .venv/.requirements.sha256 2>/dev/null || true)"
if [ "$want" != "$have" ]; then
  echo "installing requirements.txt into .venv …" >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
  echo "$want" > .venv/.requirements.sha256
fi
export PATH="$ROOT/.venv/bin:$PATH"
export FLASK_APP=wsgi.py
