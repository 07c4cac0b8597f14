/**
 * Facts of the Proton contract (docs/PROTON-CONTRACT.md) that both sides of protonkit use: the
 * bundle writer that produces bundles and the renderer that reads any bundle. No cdktf here.
 */

/** What a template bundle templates. A component is a directly defined component's infrastructure. */
export type TemplateKind = "environment" | "service" | "component";

/** The infrastructure folders of a bundle, each one Terraform root module. */
export type InfrastructureFolder = "infrastructure" | "instance_infrastructure" | "pipeline_infrastructure";

/** Every infrastructure folder, in the order bundles list them. */
export const INFRASTRUCTURE_FOLDERS: readonly InfrastructureFolder[] = ["infrastructure", "instance_infrastructure", "pipeline_infrastructure"];

/** Sections of schema.yaml that hold inputs. */
export type InputSection = "environment" | "service_instance" | "pipeline";

/** The kinds of deployed resource, as in a rendered `proton.<kind>.variables.tf`. */
export type ResourceKind = "environment" | "service_instance" | "pipeline" | "component";

/**
 * The same kinds as Proton's ARNs spell them (`.../service-instance/...`); the provisioning
 * runtime names resources this way in matrices and records.
 */
export type ArnResourceKind = "environment" | "service-instance" | "pipeline" | "component";

/** Where a bundle keeps its schema, relative to `<template>/v<major>/`. */
export const SCHEMA_FILE = "schema/schema.yaml";

/** The manifest every infrastructure folder holds. */
export const MANIFEST_FILE = "manifest.yaml";

/** Proton's Terraform manifest, exactly. */
export const TERRAFORM_MANIFEST = `infrastructure:
  templates:
    - file: "*"
      rendering_engine: hcl
      template_language: terraform
`;

/** Proton's own variables: Proton declares them, a bundle must not. */
export const RESERVED_VARIABLES: readonly string[] = ["environment", "service", "service_instance", "pipeline", "service_instances", "component", "proton_tags"];
