/**
 * What an application repository is built with. A `Dockerfile` at the top wins; otherwise the
 * language decides: Python, Node.js, Ruby and Java build with Cloud Native Buildpacks (a Paketo
 * builder) and need no Dockerfile, anything else must bring one.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fail } from "../../src/errors";
import { displayPath } from "../../src/support/yaml";

/** Languages the Paketo builder builds without a Dockerfile. */
export const BUILDPACK_LANGUAGES = ["java", "node", "python", "ruby"] as const;
/** A language buildpacks build. */
export type BuildpackLanguage = (typeof BUILDPACK_LANGUAGES)[number];
/** A detected language (buildpack ones, or others that need a Dockerfile). */
export type Language = BuildpackLanguage | "go" | "dotnet" | "rust" | "php" | "unknown";

/** Marker files per language, in the order they are looked for. */
const MARKERS: readonly { language: Language; files: readonly string[] }[] = [
  { language: "node", files: ["package.json"] },
  { language: "python", files: ["pyproject.toml", "requirements.txt", "Pipfile", "setup.py"] },
  { language: "ruby", files: ["Gemfile"] },
  { language: "java", files: ["pom.xml", "build.gradle", "build.gradle.kts"] },
  { language: "go", files: ["go.mod"] },
  { language: "rust", files: ["Cargo.toml"] },
  { language: "php", files: ["composer.json"] },
];

/** Human names for the README and the command's summary. */
export const LANGUAGE_NAMES: Readonly<Record<Language, string>> = {
  java: "Java",
  node: "Node.js",
  python: "Python",
  ruby: "Ruby",
  go: "Go",
  dotnet: ".NET",
  rust: "Rust",
  php: "PHP",
  unknown: "an unrecognised language",
};

/** Unit-test command per language, when the settings name none. */
export const DEFAULT_UNIT_TEST: Readonly<Record<BuildpackLanguage, { readonly command: string; readonly image: string }>> = {
  node: { command: "npm ci && npm test", image: "node:22" },
  python: { command: "python3 -m unittest discover", image: "python:3.13" },
  ruby: { command: "bundle install && bundle exec rake test", image: "ruby:3.4" },
  java: { command: "mvn -B test", image: "maven:3-eclipse-temurin-21" },
};

/** How the repository is built. */
export interface BuildPlan {
  readonly language: Language;
  /** `dockerfile`: `docker build` of the top-level Dockerfile; `buildpacks`: `pack build`. */
  readonly kind: "dockerfile" | "buildpacks";
  /** Files that told the language, sorted. */
  readonly evidence: readonly string[];
}

/** The language of the repository at `root`, from its top-level files. */
export function detectLanguage(root: string): { language: Language; evidence: string[] } {
  for (const m of MARKERS) {
    const found = m.files.filter((f) => fs.existsSync(path.join(root, f)));
    if (found.length > 0) return { language: m.language, evidence: [...found].sort() };
  }
  const dotnet = fs.readdirSync(root).filter((f) => f.endsWith(".csproj") || f.endsWith(".sln")).sort();
  if (dotnet.length > 0) return { language: "dotnet", evidence: dotnet };
  return { language: "unknown", evidence: [] };
}

/** Whether a language builds without a Dockerfile. */
export function isBuildpackLanguage(language: Language): language is BuildpackLanguage {
  return (BUILDPACK_LANGUAGES as readonly string[]).includes(language);
}

/**
 * Decides the build of the repository at `root`. A repository in a language buildpacks do not
 * build, and without a Dockerfile, is refused with the fix.
 */
export function planBuild(root: string): BuildPlan {
  const { language, evidence } = detectLanguage(root);
  if (fs.existsSync(path.join(root, "Dockerfile"))) return { language, kind: "dockerfile", evidence };
  if (isBuildpackLanguage(language)) return { language, kind: "buildpacks", evidence };
  const found = evidence.length > 0 ? `${LANGUAGE_NAMES[language]} (${evidence.join(", ")})` : "no Python, Node.js, Ruby or Java project file";
  fail(`found ${found}: only Python, Node.js, Ruby and Java build without a Dockerfile`, {
    file: displayPath(path.join(root, "Dockerfile")),
    fix: "add a Dockerfile at the top of the repository that builds the service's image, then run the command again",
  });
}
