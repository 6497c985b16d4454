/** The namespace, which enforces the "restricted" Pod Security Standard. */
import type { INamespace } from "kubernetes-models/v1/Namespace" with { "resolution-mode": "import" };
import { namespace } from "./conventions";

export function namespaceManifest(): INamespace {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: namespace,
      labels: {
        "app.kubernetes.io/part-of": "commerce",
        // Every pod here runs non-root with no privileges; the API server refuses any that does not.
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "latest",
      },
    },
  };
}
