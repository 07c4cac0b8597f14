resource "aws_lb" "load_balancer_alb" {
  drop_invalid_header_fields = true
  enable_deletion_protection = false
  internal                   = false
  load_balancer_type         = "application"
  name = trimsuffix(
    substr(replace(format("%s-%s", var.service.name, var.service_instance.name), "_", "-"), 0, 32),
    "-",
  )
  security_groups = [aws_security_group.load_balancer_security_group.id]
  subnets         = jsondecode(var.environment.outputs.public_subnet_ids)
}

resource "aws_lb_listener" "load_balancer_http_forward" {
  count             = (var.service_instance.inputs.certificate_arn != "") ? 0 : 1
  load_balancer_arn = aws_lb.load_balancer_alb.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    target_group_arn = aws_lb_target_group.load_balancer_targets.arn
    type             = "forward"
  }
}

resource "aws_lb_listener" "load_balancer_http_redirect" {
  count             = (var.service_instance.inputs.certificate_arn != "") ? 1 : 0
  load_balancer_arn = aws_lb.load_balancer_alb.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}

resource "aws_lb_listener" "load_balancer_https" {
  count             = (var.service_instance.inputs.certificate_arn != "") ? 1 : 0
  certificate_arn   = var.service_instance.inputs.certificate_arn
  load_balancer_arn = aws_lb.load_balancer_alb.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"

  default_action {
    target_group_arn = aws_lb_target_group.load_balancer_targets.arn
    type             = "forward"
  }
}

resource "aws_lb_target_group" "load_balancer_targets" {
  deregistration_delay = "30"
  name_prefix          = "web-"
  port                 = var.service_instance.inputs.port
  protocol             = "HTTP"
  target_type          = "ip"
  vpc_id               = var.environment.outputs.vpc_id

  health_check {
    enabled             = true
    healthy_threshold   = 2
    interval            = 15
    matcher             = "200-399"
    path                = var.service_instance.inputs.health_check_path
    protocol            = "HTTP"
    timeout             = 5
    unhealthy_threshold = 3
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_security_group" "load_balancer_security_group" {
  description = "Internet-facing load balancer of ${var.service.name}-${var.service_instance.name}"
  name_prefix = "${var.service.name}-${var.service_instance.name}-alb-"
  vpc_id      = var.environment.outputs.vpc_id

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_egress_rule" "load_balancer_to_tasks" {
  description                  = "To the tasks' container port"
  from_port                    = var.service_instance.inputs.port
  ip_protocol                  = "tcp"
  referenced_security_group_id = aws_security_group.service_tasks.id
  security_group_id            = aws_security_group.load_balancer_security_group.id
  to_port                      = var.service_instance.inputs.port
}

resource "aws_vpc_security_group_ingress_rule" "load_balancer_http_in" {
  cidr_ipv4         = "0.0.0.0/0"
  description       = "HTTP from the internet (redirected to HTTPS when a certificate is set)"
  from_port         = 80
  ip_protocol       = "tcp"
  security_group_id = aws_security_group.load_balancer_security_group.id
  to_port           = 80
}

resource "aws_vpc_security_group_ingress_rule" "load_balancer_https_in" {
  count             = (var.service_instance.inputs.certificate_arn != "") ? 1 : 0
  cidr_ipv4         = "0.0.0.0/0"
  description       = "HTTPS from the internet"
  from_port         = 443
  ip_protocol       = "tcp"
  security_group_id = aws_security_group.load_balancer_security_group.id
  to_port           = 443
}
