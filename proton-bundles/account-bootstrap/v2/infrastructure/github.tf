data "aws_iam_openid_connect_provider" "github_existing_oidc_provider" {
  count = var.environment.inputs.create_oidc_provider ? 0 : 1
  url   = "https://token.actions.githubusercontent.com"
}

resource "aws_iam_openid_connect_provider" "github_oidc_provider" {
  count          = var.environment.inputs.create_oidc_provider ? 1 : 0
  client_id_list = ["sts.amazonaws.com"]
  url            = "https://token.actions.githubusercontent.com"
}
