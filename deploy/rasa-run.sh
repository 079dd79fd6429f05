#!/bin/sh
# `rasa run` for the route advisor, with the flags its environment asks for (docs/deploy.md):
#   ALLOWED_ORIGINS  space-separated web origins allowed by CORS and the socket.io channel
#   RASA_API_TOKEN   set and not empty: Rasa's HTTP API is on, behind this token; else it is off
#   RASA_INTERFACE   the address to listen on (default 127.0.0.1; the image sets 0.0.0.0)
#   RASA_PORT        default 5005
#   RASA_MODEL       default models/route-advisor.tar.gz
# The stores and the action server come from endpoints.yml and their own variables
# (TRACKER_STORE_URL, LOCK_STORE_URL, ACTION_ENDPOINT_URL). Run it from the project root
# (the image's working directory); further arguments go to `rasa run`.
set -eu
set -- run \
  --interface "${RASA_INTERFACE:-127.0.0.1}" --port "${RASA_PORT:-5005}" \
  --model "${RASA_MODEL:-models/route-advisor.tar.gz}" \
  --credentials credentials.yml --endpoints endpoints.yml "$@"
if [ -n "${RASA_API_TOKEN:-}" ]; then
  set -- "$@" --enable-api --auth-token "$RASA_API_TOKEN"
fi
# One argument per origin (split on spaces), never expanded as a file pattern.
set -f
# shellcheck disable=SC2086
exec rasa "$@" --cors ${ALLOWED_ORIGINS:-}
