{{/*
The chart name, or nameOverride.
*/}}
{{- define "wruntime.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The prefix of every resource name: fullnameOverride, else the release name when it contains the
chart name, else "<release>-<chart>". Kept to 42 characters so that "-operator" and "-manager"
suffixes (and the Deployment's pod name hashes) stay within Kubernetes' limits.
*/}}
{{- define "wruntime.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 42 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 42 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 42 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
"<chart>-<version>" for the helm.sh/chart label.
*/}}
{{- define "wruntime.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of every resource; call with (dict "ctx" $ "component" "operator").
*/}}
{{- define "wruntime.labels" -}}
helm.sh/chart: {{ include "wruntime.chart" .ctx }}
{{ include "wruntime.selectorLabels" . }}
app.kubernetes.io/version: {{ include "wruntime.imageTag" .ctx | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/part-of: wruntime
{{- end }}

{{/*
Labels that select the pods of one component; call with (dict "ctx" $ "component" "operator").
*/}}
{{- define "wruntime.selectorLabels" -}}
app.kubernetes.io/name: {{ include "wruntime.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
The tag of the wruntime images: image.tag, else the chart's appVersion.
*/}}
{{- define "wruntime.imageTag" -}}
{{- default .Chart.AppVersion .Values.image.tag }}
{{- end }}

{{/*
A wruntime image reference; call with (dict "ctx" $ "name" "wr-operator").
*/}}
{{- define "wruntime.image" -}}
{{- printf "%s/%s:%s" .ctx.Values.image.registry .name (include "wruntime.imageTag" .ctx) }}
{{- end }}

{{- define "wruntime.operator.fullname" -}}
{{- printf "%s-operator" (include "wruntime.fullname" .) }}
{{- end }}

{{- define "wruntime.manager.fullname" -}}
{{- printf "%s-manager" (include "wruntime.fullname" .) }}
{{- end }}

{{/*
host:port of the manager's gRPC Service, as pods in any namespace reach it.
*/}}
{{- define "wruntime.manager.address" -}}
{{- printf "%s.%s.svc:9000" (include "wruntime.manager.fullname" .) .Release.Namespace }}
{{- end }}

{{/*
The pod-level security context of every pod of the chart: non-root with the images' numeric user.
*/}}
{{- define "wruntime.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/*
The container security context of every container of the chart: nothing but the process itself
may write, and no privilege can be gained.
*/}}
{{- define "wruntime.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/*
imagePullSecrets of a pod spec, from the list of Secret names.
*/}}
{{- define "wruntime.imagePullSecrets" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end }}

{{/*
A TOML inline table of Kubernetes quantities, keys sorted: { cpu = "100m", memory = "256Mi" }.
JSON string escapes are a subset of TOML basic-string escapes, hence toJson.
*/}}
{{- define "wruntime.tomlQuantities" -}}
{{- $quantities := . | default dict }}
{{- if not $quantities }}{}{{ else -}}
{ {{- range $i, $key := keys $quantities | sortAlpha }}{{ if $i }},{{ end }} {{ $key }} = {{ get $quantities $key | toString | toJson }}{{ end }} }
{{- end }}
{{- end }}

{{/*
The refusals: value combinations the chart does not deploy, with the reason.
*/}}
{{- define "wruntime.validate" -}}
{{- if .Values.tls.enabled }}
{{- fail "tls.enabled=true: peer and manager TLS is not supported by this wruntime version yet (the proxy speaks plain HTTP/2 to its peers and to the manager); set tls.enabled=false" }}
{{- end }}
{{- if and (gt (int .Values.operator.replicas) 1) (not .Values.operator.leaderElection.enabled) }}
{{- fail (printf "operator.replicas=%v needs operator.leaderElection.enabled=true: operators without leader election would reconcile the same WasmModules concurrently" .Values.operator.replicas) }}
{{- end }}
{{- end }}

{{/*
The rules of the operator's ClusterRole: exactly io.wruntime.operator.OperatorPermissions, which the
operator's test against a real API server proves it uses (no more, no less); one rule per
resource, verbs sorted. Tests read them from here (io.wruntime.helm.RenderedChart).
*/}}
{{- define "wruntime.operator.rules" -}}
- apiGroups: ["wruntime.io"]
  resources: ["wasmmodules"]
  verbs: ["list", "watch"]
- apiGroups: ["wruntime.io"]
  resources: ["wasmmodules/status"]
  verbs: ["patch"]
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["create", "get", "list", "update", "watch"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["create", "list", "patch", "watch"]
- apiGroups: [""]
  resources: ["services"]
  verbs: ["create", "list", "patch", "watch"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list", "watch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  verbs: ["create", "get", "patch", "update"]
{{- end }}

{{/*
The rules of the manager's ClusterRole: exactly io.wruntime.manager.cluster.ManagerPermissions, which
the manager's test against a real API server proves cluster mode uses (informers on WasmModules,
engine pods and the operator's ConfigMaps); one rule per resource, verbs sorted.
*/}}
{{- define "wruntime.manager.rules" -}}
- apiGroups: ["wruntime.io"]
  resources: ["wasmmodules"]
  verbs: ["list", "watch"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list", "watch"]
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["list", "watch"]
{{- end }}
