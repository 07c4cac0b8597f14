# protonkit-owned: written by `protonkit pipeline`; run `protonkit pipeline update --repo .` instead of editing (sha256:b48976fb4b4d7da94499eff4ef340096a4cd80651d049f2e2a946f38db8a889f)
# Deploys one build of orders to one instance, the same way on GitHub and GitLab.
#
# Terraform stays the only writer of the service: this script records the artifact in the
# platform repository (platform/artifacts/orders/<instance>.yaml), where the platform's
# render reads it as the instance's image, so the next provisioning apply deploys it
# and no later apply rolls it back. It then waits until the instance runs the artifact and is
# stable; on failure it puts the previous version back (ECS: the previous task definition;
# Lambda: the previous code) and restores the previous record, then fails the job.
#
# Environment: PROTONKIT_SERVICE, PROTONKIT_ENVIRONMENT, PROTONKIT_INSTANCE, PROTONKIT_TARGET
# (ecs or lambda), PROTONKIT_TARGET_NAME, PROTONKIT_CLUSTER, PROTONKIT_ARTIFACT (image by
# digest, or s3://bucket/key of a zip), PROTONKIT_CODE_SHA256 (zips), PROTONKIT_SOURCE,
# PROTONKIT_PLATFORM_REPOSITORY, PROTONKIT_PLATFORM_BRANCH, PROTONKIT_PLATFORM_TOKEN;
# PROTONKIT_PLATFORM_URL overrides the clone URL (tests); PROTONKIT_WAIT_SECONDS (default 1800).
set -euo pipefail

: "${PROTONKIT_ARTIFACT:?the build published no artifact}"
: "${PROTONKIT_PLATFORM_TOKEN:?set the PROTONKIT_PLATFORM_TOKEN secret: a token that may push to the platform repository}"
wait_seconds="${PROTONKIT_WAIT_SECONDS:-1800}"
record="platform/artifacts/$PROTONKIT_SERVICE/$PROTONKIT_INSTANCE.yaml"
url="${PROTONKIT_PLATFORM_URL:-https://x-access-token:$PROTONKIT_PLATFORM_TOKEN@github.com/$PROTONKIT_PLATFORM_REPOSITORY.git}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

git clone --quiet --depth 1 --branch "$PROTONKIT_PLATFORM_BRANCH" "$url" "$work/platform"
previous_record=""
if [ -f "$work/platform/$record" ]; then previous_record=$(cat "$work/platform/$record"); fi

# Writes the record (or removes it when $1 is empty) and pushes, retrying on a moved branch.
push_record() {
  local content=$1 message=$2 attempt
  for attempt in 1 2 3 4 5; do
    (
      cd "$work/platform"
      git fetch --quiet --depth 1 origin "$PROTONKIT_PLATFORM_BRANCH"
      git reset --quiet --hard FETCH_HEAD
      mkdir -p "$(dirname "$record")"
      if [ -n "$content" ]; then printf '%s\n' "$content" > "$record"; else rm -f "$record"; fi
      git add -A -- "$(dirname "$record")"
      if git diff --cached --quiet; then exit 0; fi
      git -c user.name="protonkit delivery" -c user.email="protonkit-delivery@users.noreply.github.com" commit --quiet -m "$message"
      git push --quiet origin "HEAD:$PROTONKIT_PLATFORM_BRANCH"
    ) && return 0
    echo "push of $record failed (attempt $attempt), retrying" >&2
    sleep $((attempt * 2))
  done
  echo "could not record $record in $PROTONKIT_PLATFORM_REPOSITORY" >&2
  return 1
}

new_record=$(cat <<RECORD
# Written by the delivery pipeline of $PROTONKIT_SERVICE; read by the platform's render.
service: $PROTONKIT_SERVICE
instance: $PROTONKIT_INSTANCE
environment: $PROTONKIT_ENVIRONMENT
artifact: $PROTONKIT_ARTIFACT
code_sha256: "${PROTONKIT_CODE_SHA256:-}"
source: $PROTONKIT_SOURCE
RECORD
)

# What runs now, to go back to.
if [ "$PROTONKIT_TARGET" = ecs ]; then
  previous=$(aws ecs describe-services --cluster "$PROTONKIT_CLUSTER" --services "$PROTONKIT_TARGET_NAME" --query 'services[0].taskDefinition' --output text)
else
  previous=$(aws lambda get-function --function-name "$PROTONKIT_TARGET_NAME" --query '[Code.ImageUri, Configuration.CodeSha256]' --output text)
fi
echo "running before: $previous"

push_record "$new_record" "deploy $PROTONKIT_SERVICE to $PROTONKIT_INSTANCE: $PROTONKIT_ARTIFACT"

# True when the instance runs the new artifact.
deployed() {
  if [ "$PROTONKIT_TARGET" = ecs ]; then
    local td
    td=$(aws ecs describe-services --cluster "$PROTONKIT_CLUSTER" --services "$PROTONKIT_TARGET_NAME" --query 'services[0].taskDefinition' --output text)
    [ "$(aws ecs describe-task-definition --task-definition "$td" --query 'taskDefinition.containerDefinitions[0].image' --output text)" = "$PROTONKIT_ARTIFACT" ]
  elif [ -n "${PROTONKIT_CODE_SHA256:-}" ]; then
    [ "$(aws lambda get-function-configuration --function-name "$PROTONKIT_TARGET_NAME" --query CodeSha256 --output text)" = "$PROTONKIT_CODE_SHA256" ]
  else
    [ "$(aws lambda get-function --function-name "$PROTONKIT_TARGET_NAME" --query Code.ImageUri --output text)" = "$PROTONKIT_ARTIFACT" ]
  fi
}

# True when the instance is stable (fails on a failed rollout or a failed update).
stable() {
  if [ "$PROTONKIT_TARGET" = ecs ]; then
    aws ecs wait services-stable --cluster "$PROTONKIT_CLUSTER" --services "$PROTONKIT_TARGET_NAME" &&
      [ "$(aws ecs describe-services --cluster "$PROTONKIT_CLUSTER" --services "$PROTONKIT_TARGET_NAME" --query 'services[0].deployments[?status==`PRIMARY`].rolloutState | [0]' --output text)" = COMPLETED ]
  else
    aws lambda wait function-updated --function-name "$PROTONKIT_TARGET_NAME" &&
      [ "$(aws lambda get-function-configuration --function-name "$PROTONKIT_TARGET_NAME" --query LastUpdateStatus --output text)" = Successful ]
  fi
}

rollback() {
  echo "rolling $PROTONKIT_INSTANCE back" >&2
  if [ "$PROTONKIT_TARGET" = ecs ]; then
    aws ecs update-service --cluster "$PROTONKIT_CLUSTER" --service "$PROTONKIT_TARGET_NAME" --task-definition "$previous" --query 'service.taskDefinition' --output text || true
    aws ecs wait services-stable --cluster "$PROTONKIT_CLUSTER" --services "$PROTONKIT_TARGET_NAME" || true
  else
    image=${previous%%[[:space:]]*}
    if [ -n "$image" ] && [ "$image" != None ]; then
      aws lambda update-function-code --function-name "$PROTONKIT_TARGET_NAME" --image-uri "$image" --query LastUpdateStatus --output text || true
      aws lambda wait function-updated --function-name "$PROTONKIT_TARGET_NAME" || true
    fi
  fi
  push_record "$previous_record" "roll back $PROTONKIT_SERVICE on $PROTONKIT_INSTANCE (failed: $PROTONKIT_ARTIFACT)"
  exit 1
}

deadline=$(( $(date +%s) + wait_seconds ))
until deployed; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "$PROTONKIT_INSTANCE does not run $PROTONKIT_ARTIFACT after ${wait_seconds}s: did the provisioning apply fail?" >&2
    rollback
  fi
  sleep 15
done
stable || rollback
echo "$PROTONKIT_INSTANCE runs $PROTONKIT_ARTIFACT and is stable"
