{{/* Chart name, truncated to the 63 characters a DNS label allows. */}}
{{- define "tollgate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Prefix of every resource name: <release>-tollgate unless the release name already contains it. */}}
{{- define "tollgate.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "tollgate.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "tollgate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: tollgate
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector labels of one component; call with (dict "ctx" $ "component" "gateway"). */}}
{{- define "tollgate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tollgate.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Full image reference of a component; call with (dict "ctx" $ "image" .Values.gateway.image). */}}
{{- define "tollgate.image" -}}
{{- $tag := .image.tag | default .ctx.Chart.AppVersion -}}
{{- if .image.registry -}}
{{ printf "%s/%s:%s" .image.registry .image.repository $tag }}
{{- else -}}
{{ printf "%s:%s" .image.repository $tag }}
{{- end -}}
{{- end }}

{{- define "tollgate.operator.serviceAccountName" -}}
{{- if .Values.operator.serviceAccount.create }}
{{- default (printf "%s-operator" (include "tollgate.fullname" .)) .Values.operator.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.operator.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "tollgate.gateway.serviceAccountName" -}}
{{- if .Values.gateway.serviceAccount.create }}
{{- default (printf "%s-gateway" (include "tollgate.fullname" .)) .Values.gateway.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.gateway.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "tollgate.credentials.secretName" -}}
{{- default (printf "%s-credentials" (include "tollgate.fullname" .)) .Values.credentials.existingSecret }}
{{- end }}

{{- define "tollgate.redis.bundledName" -}}
{{- printf "%s-redis" (include "tollgate.fullname" .) }}
{{- end }}

{{/*
Checks the Redis settings that the schema cannot express on its own and fails with a message that
says what to change. Included by every template that needs Redis, so it fails before anything renders.
*/}}
{{- define "tollgate.redis.validate" -}}
{{- $r := .Values.redis }}
{{- if and $r.bundled.enabled $r.external.url }}
{{- fail "redis: both redis.bundled.enabled=true and redis.external.url are set; set redis.bundled.enabled=false to use the external Redis" }}
{{- end }}
{{- if and (not $r.bundled.enabled) (not $r.external.url) }}
{{- fail "redis: set redis.external.url (your Redis) or redis.bundled.enabled=true (evaluation only)" }}
{{- end }}
{{- if and (not $r.bundled.enabled) (eq $r.external.mode "sentinel") (not $r.external.masterName) }}
{{- fail "redis.external.masterName is required when redis.external.mode=sentinel" }}
{{- end }}
{{- if contains "@" $r.external.url }}
{{- fail "redis.external.url must not carry credentials: put the password in the Secret named by redis.external.existingSecret" }}
{{- end }}
{{- if and (not $r.bundled.enabled) (eq $r.external.mode "standalone") (contains "," $r.external.url) }}
{{- fail "redis.external.url lists several nodes: set redis.external.mode to cluster or sentinel" }}
{{- end }}
{{- end }}

{{/* Value of TOLLGATE_REDIS_URL: the bundled Service, or the external URL with TLS applied. */}}
{{- define "tollgate.redis.url" -}}
{{- if .Values.redis.bundled.enabled }}
{{- printf "redis://%s.%s.svc:6379" (include "tollgate.redis.bundledName" .) .Release.Namespace }}
{{- else if .Values.redis.external.tls.enabled }}
{{- .Values.redis.external.url | replace "redis://" "rediss://" }}
{{- else }}
{{- .Values.redis.external.url }}
{{- end }}
{{- end }}

{{/* Redis and credentials environment shared by the operator and the gateway. */}}
{{- define "tollgate.sharedEnv" -}}
{{ include "tollgate.redisEnv" . }}
- name: TOLLGATE_CREDENTIALS_KEY_FILE
  value: /etc/tollgate/credentials/{{ .Values.credentials.secretKey }}
{{- end }}

{{/* The TOLLGATE_REDIS_* environment (also all the usage export needs). */}}
{{- define "tollgate.redisEnv" -}}
{{- include "tollgate.redis.validate" . -}}
- name: TOLLGATE_REDIS_URL
  value: {{ include "tollgate.redis.url" . | quote }}
- name: TOLLGATE_REDIS_MODE
  value: {{ ternary "standalone" .Values.redis.external.mode .Values.redis.bundled.enabled | quote }}
{{- if and (not .Values.redis.bundled.enabled) .Values.redis.external.masterName }}
- name: TOLLGATE_REDIS_MASTER_NAME
  value: {{ .Values.redis.external.masterName | quote }}
{{- end }}
{{- if and (not .Values.redis.bundled.enabled) .Values.redis.external.username }}
- name: TOLLGATE_REDIS_USERNAME
  value: {{ .Values.redis.external.username | quote }}
{{- end }}
{{- if .Values.redis.bundled.enabled }}
- name: TOLLGATE_REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "tollgate.redis.bundledName" . }}
      key: redis-password
{{- else if .Values.redis.external.existingSecret }}
- name: TOLLGATE_REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.redis.external.existingSecret }}
      key: {{ .Values.redis.external.passwordKey }}
{{- end }}
{{- end }}

{{/*
JAVA_TOOL_OPTIONS of a component: the trust store for Redis TLS when one is given, then the
component's own options. The trust store password comes from a variable defined just before, which
Kubernetes substitutes ($(VAR)); it only guards the integrity of public certificates.
Call with (dict "ctx" $ "opts" .Values.gateway.javaToolOptions).
*/}}
{{- define "tollgate.javaEnv" -}}
{{- $ts := .ctx.Values.redis.external.tls.trustStore }}
{{- $useTs := and (not .ctx.Values.redis.bundled.enabled) .ctx.Values.redis.external.tls.enabled $ts.existingSecret }}
{{- $opts := list }}
{{- if $useTs }}
- name: TOLLGATE_TRUSTSTORE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $ts.existingSecret }}
      key: {{ $ts.passwordKey }}
{{- $opts = append $opts (printf "-Djavax.net.ssl.trustStore=/etc/tollgate/redis-tls/%s -Djavax.net.ssl.trustStoreType=PKCS12 -Djavax.net.ssl.trustStorePassword=$(TOLLGATE_TRUSTSTORE_PASSWORD)" $ts.key) }}
{{- end }}
{{- with .opts }}
{{- $opts = append $opts . }}
{{- end }}
{{- if $opts }}
- name: JAVA_TOOL_OPTIONS
  value: {{ join " " $opts | quote }}
{{- end }}
{{- end }}

{{/* Volumes shared by the operator and the gateway: /tmp, the credentials key, the Redis trust store. */}}
{{- define "tollgate.sharedVolumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: 256Mi
- name: credentials
  secret:
    secretName: {{ include "tollgate.credentials.secretName" . }}
    items:
      - key: {{ .Values.credentials.secretKey }}
        path: {{ .Values.credentials.secretKey }}
{{- include "tollgate.redisTlsVolume" . }}
{{- end }}

{{/* The Redis trust store volume, when one is given. */}}
{{- define "tollgate.redisTlsVolume" -}}
{{- if and (not .Values.redis.bundled.enabled) .Values.redis.external.tls.enabled .Values.redis.external.tls.trustStore.existingSecret }}
- name: redis-tls
  secret:
    secretName: {{ .Values.redis.external.tls.trustStore.existingSecret }}
    items:
      - key: {{ .Values.redis.external.tls.trustStore.key }}
        path: {{ .Values.redis.external.tls.trustStore.key }}
{{- end }}
{{- end }}

{{- define "tollgate.sharedVolumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: credentials
  mountPath: /etc/tollgate/credentials
  readOnly: true
{{- include "tollgate.redisTlsVolumeMount" . }}
{{- end }}

{{- define "tollgate.redisTlsVolumeMount" -}}
{{- if and (not .Values.redis.bundled.enabled) .Values.redis.external.tls.enabled .Values.redis.external.tls.trustStore.existingSecret }}
- name: redis-tls
  mountPath: /etc/tollgate/redis-tls
  readOnly: true
{{- end }}
{{- end }}

{{/* Pod security context: non-root (the images' user 65532), RuntimeDefault seccomp. */}}
{{- define "tollgate.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Container security context: read-only root file system, no capabilities, no escalation. */}}
{{- define "tollgate.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* RBAC rules of the operator on the watched namespaces (ClusterRole or per-namespace Role). */}}
{{- define "tollgate.operator.rules" -}}
- apiGroups: ["tollgate.dev"]
  resources: ["tenants", "apikeys", "spendcaps", "routepolicies"]
  verbs: ["get", "list", "watch", "patch", "update"]
- apiGroups: ["tollgate.dev"]
  resources: ["tenants/status", "apikeys/status", "spendcaps/status", "routepolicies/status"]
  verbs: ["get", "patch", "update"]
# Finalizers remove an object's Redis keys before it goes; ownerReferences with blockOwnerDeletion
# (the Secret of an ApiKey) need update on the owner's finalizers.
- apiGroups: ["tollgate.dev"]
  resources: ["tenants/finalizers", "apikeys/finalizers", "spendcaps/finalizers", "routepolicies/finalizers"]
  verbs: ["update"]
# Generated keys are written into Secrets owned by their ApiKey (deleted with it by the garbage
# collector); provider credentials and imported keys are read from Secrets.
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch", "create", "update", "patch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end }}
