"""Image and package knowledge shared by the Dockerfile, compose and Kubernetes checks."""
