resource "aws_iam_openid_connect_provider" "gitlab_oidc_provider" {
  count          = var.environment.inputs.create_gitlab_oidc_provider ? 1 : 0
  client_id_list = [var.environment.inputs.gitlab_url, "sts.amazonaws.com"]
  url            = var.environment.inputs.gitlab_url
}
