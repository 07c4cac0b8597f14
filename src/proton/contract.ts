/**
 * Facts of the Proton contract (docs/PROTON-CONTRACT.md) that both sides of protonkit use:
 * the bundle writer that produces bundles and the renderer that reads any bundle. No cdktf here.
 */

/** Proton's Terraform manifest, exactly. */
export const TERRAFORM_MANIFEST = `infrastructure:
  templates:
    - file: "*"
      rendering_engine: hcl
      template_language: terraform
`;

/** Proton's own variables: Proton declares them, a bundle must not. */
export const RESERVED_VARIABLES: readonly string[] = ["environment", "service", "service_instance", "pipeline", "service_instances", "component", "proton_tags"];

/** Proton's fixed quotas for a template bundle (not adjustable). */
export const QUOTAS = {
  bundleBytes: 5 * 1024 * 1024,
  manifestBytes: 50 * 1024,
  schemaBytes: 50 * 1024,
  otherFileBytes: 200 * 1024,
  templateFiles: 10,
  nameLength: 100,
} as const;

/** Proton's rule for template and resource names (1..100 characters). */
export const RESOURCE_NAME = /^[0-9A-Za-z]+[0-9A-Za-z_-]*$/;

/** The lock file the bundle writer keeps at the bundles root (minor versions, digests). */
export const LOCK_FILE = "protonkit.lock.json";
