// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "bin/", "policy/node_modules/", "policy/bin/", "out/", ".plan/"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        files: ["**/*.ts"],
        rules: {
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
            "@typescript-eslint/no-explicit-any": "error",
            "no-restricted-imports": [
                "error",
                {
                    // Components describe workloads; only the platform implementations talk to docker or Kubernetes.
                    paths: [],
                    patterns: [],
                },
            ],
        },
    },
    {
        files: ["components/**/*.ts"],
        ignores: ["components/platform/docker*.ts", "components/platform/kubernetes*.ts", "components/platform/kubernetes/**"],
        rules: {
            "no-restricted-imports": [
                "error",
                {
                    paths: [
                        { name: "@pulumi/docker", message: "Components go through the Platform seam (components/platform)." },
                        { name: "@pulumi/kubernetes", message: "Components go through the Platform seam (components/platform)." },
                    ],
                },
            ],
        },
    },
);
