{{/* Names and labels shared by every object of the chart. */}}
{{- define "cxpulse.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "cxpulse.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: cxpulse
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: cxpulse
{{- end -}}

{{/* selector labels of one component: include "cxpulse.selector" (list . "ingest") */}}
{{- define "cxpulse.selector" -}}
app.kubernetes.io/name: cxpulse
app.kubernetes.io/instance: {{ (index . 0).Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "cxpulse.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "cxpulse.secretName" -}}
{{- .Values.secrets.existingSecret | default (include "cxpulse.fullname" .) -}}
{{- end -}}

{{/* cxpulse.yaml: the values' config with the secret files filled in */}}
{{- define "cxpulse.configYAML" -}}
{{- $c := deepCopy .Values.config -}}
{{- $ch := get $c "clickhouse" | default dict -}}
{{- $_ := set $ch "password_file" "/etc/cxpulse/secrets/clickhouse-password" -}}
{{- $_ := set $c "clickhouse" $ch -}}
{{- $k := get $c "kafka" | default dict -}}
{{- $sasl := get $k "sasl" | default dict -}}
{{- if get $sasl "mechanism" -}}
{{- $_ := set $sasl "password_file" "/etc/cxpulse/secrets/kafka-sasl-password" -}}
{{- $_ := set $k "sasl" $sasl -}}
{{- end -}}
{{- $h := get $c "http" | default dict -}}
{{- if or .Values.secrets.httpToken .Values.secrets.existingSecret -}}
{{- $auth := get $h "auth" | default dict -}}
{{- $_ := set $auth "token_file" "/etc/cxpulse/secrets/http-token" -}}
{{- $_ := set $h "auth" $auth -}}
{{- $_ := set $c "http" $h -}}
{{- end -}}
{{- toYaml $c -}}
{{- end -}}

{{/* the pod spec parts every cxpulse container shares */}}
{{- define "cxpulse.volumes" -}}
- name: config
  configMap:
    name: {{ .configMap }}
- name: secrets
  secret:
    secretName: {{ .secret }}
    defaultMode: 0440
{{- end -}}

{{- define "cxpulse.volumeMounts" -}}
- name: config
  mountPath: /etc/cxpulse/cxpulse.yaml
  subPath: cxpulse.yaml
  readOnly: true
- name: secrets
  mountPath: /etc/cxpulse/secrets
  readOnly: true
{{- end -}}

{{- define "cxpulse.probes" -}}
{{- $p := .Values.probes -}}
{{- range $kind, $name := dict "liveness" "livenessProbe" "readiness" "readinessProbe" "startup" "startupProbe" }}
{{ $name }}:
  httpGet:
    path: {{ (index $p $kind).path }}
    port: http
  periodSeconds: {{ (index $p $kind).periodSeconds }}
  timeoutSeconds: {{ (index $p $kind).timeoutSeconds }}
  failureThreshold: {{ (index $p $kind).failureThreshold }}
{{- end }}
{{- end -}}

{{/* a Deployment of one long-running component: include "cxpulse.deployment" (dict "root" . "component" "ingest" "values" .Values.ingest) */}}
{{- define "cxpulse.deployment" -}}
{{- $root := .root -}}
{{- $v := .values -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "cxpulse.fullname" $root }}-{{ .component }}
  labels:
    {{- include "cxpulse.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
spec:
  replicas: {{ $v.replicas }}
  {{- if eq .component "compute" }}
  strategy:
    # never two schedulers at once during a rollout without leader election
    type: {{ if $v.leaderElection }}RollingUpdate{{ else }}Recreate{{ end }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "cxpulse.selector" (list $root .component) | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "cxpulse.labels" $root | nindent 8 }}
        app.kubernetes.io/component: {{ .component }}
      annotations:
        # a changed configuration or secret rolls the pods
        checksum/config: {{ include "cxpulse.configYAML" $root | sha256sum }}
    spec:
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      automountServiceAccountToken: false
      securityContext:
        {{- toYaml $root.Values.podSecurityContext | nindent 8 }}
      # ingest flushes its batch and commits on SIGTERM (ingest.shutdown_timeout, 30s)
      terminationGracePeriodSeconds: 45
      containers:
        - name: {{ .component }}
          image: {{ include "cxpulse.image" $root }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args: [{{ .component | quote }}, "--config", "/etc/cxpulse/cxpulse.yaml"]
          ports:
            - name: http
              containerPort: {{ $root.Values.service.port }}
              protocol: TCP
          {{- include "cxpulse.probes" $root | nindent 10 }}
          resources:
            {{- toYaml $v.resources | nindent 12 }}
          securityContext:
            {{- toYaml $root.Values.securityContext | nindent 12 }}
          volumeMounts:
            {{- include "cxpulse.volumeMounts" $root | nindent 12 }}
      volumes:
        {{- include "cxpulse.volumes" (dict "configMap" (include "cxpulse.fullname" $root) "secret" (include "cxpulse.secretName" $root)) | nindent 8 }}
      {{- with $v.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end -}}

{{- define "cxpulse.pdb" -}}
{{- $root := .root -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "cxpulse.fullname" $root }}-{{ .component }}
  labels:
    {{- include "cxpulse.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
spec:
  maxUnavailable: {{ .values.pdb.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "cxpulse.selector" (list $root .component) | nindent 6 }}
{{- end -}}

{{- define "cxpulse.service" -}}
{{- $root := .root -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "cxpulse.fullname" $root }}-{{ .component }}
  labels:
    {{- include "cxpulse.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
spec:
  type: {{ $root.Values.service.type }}
  ports:
    - name: http
      port: {{ $root.Values.service.port }}
      targetPort: http
      protocol: TCP
  selector:
    {{- include "cxpulse.selector" (list $root .component) | nindent 4 }}
{{- end -}}
